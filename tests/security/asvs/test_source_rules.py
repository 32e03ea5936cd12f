"""Rules read from the application's own source with `ast` (ASVS V1.2 to V1.5, V11.3 to V11.5, V15.3.5).

Each rule names what it forbids and, where the code has a reviewed exception, the exception by module;
a new use anywhere else fails here before review.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import trustroom

SOURCE = Path(trustroom.__file__).parent


def modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(SOURCE.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path.relative_to(SOURCE).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def calls(tree: ast.Module) -> Iterator[tuple[ast.Call, str]]:
    """Every call with the dotted name it is made through (`subprocess.run`, `eval`, `cursor.execute`)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield node, ast.unparse(node.func)


def imported_modules(tree: ast.Module) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_no_dynamic_code_execution() -> None:
    found = [
        f"{name}:{call.lineno} {func}"
        for name, tree in modules()
        for call, func in calls(tree)
        if func in {"eval", "exec", "compile", "builtins.eval", "builtins.exec"}
    ]
    assert found == []


def test_no_unsafe_deserialization_modules() -> None:
    unsafe = {"pickle", "cPickle", "marshal", "shelve", "dill", "jsonpickle", "yaml"}
    found = [
        f"{name}: {module}"
        for name, tree in modules()
        for module in imported_modules(tree)
        if module.split(".")[0] in unsafe
    ]
    assert found == []


def test_celery_accepts_only_json() -> None:
    from django.conf import settings

    assert settings.CELERY_TASK_SERIALIZER == "json"
    assert settings.CELERY_ACCEPT_CONTENT == ["json"]


def test_os_commands_never_go_through_a_shell_and_take_an_argument_list() -> None:
    problems = []
    for name, tree in modules():
        for call, func in calls(tree):
            if func in {"os.system", "os.popen", "os.execl", "os.spawnl", "commands.getoutput"}:
                problems.append(f"{name}:{call.lineno} {func}")
            if func.startswith("subprocess."):
                if any(
                    k.arg == "shell" and not (isinstance(k.value, ast.Constant) and k.value.value is False)
                    for k in call.keywords
                ):
                    problems.append(f"{name}:{call.lineno} shell=")
                if call.args and isinstance(call.args[0], (ast.Constant, ast.JoinedStr, ast.BinOp)):
                    problems.append(f"{name}:{call.lineno} command as one string")
    assert problems == []


# Raw SQL built by string formatting: only these modules, which interpolate table names taken from the
# model registry (never from a request) into DDL that parameters cannot express.
REVIEWED_SQL_FORMATTING = {"compliance/builtin.py", "tenancy/dbroles.py", "tenancy/rls.py"}
SQL_CALLS = ("execute", "executemany", "raw", "extra", "RawSQL")


def test_sql_is_parameterized_outside_the_reviewed_ddl_modules() -> None:
    formatted = set()
    for name, tree in modules():
        for call, func in calls(tree):
            if func.split(".")[-1] in SQL_CALLS and call.args:
                first = call.args[0]
                built = isinstance(first, (ast.JoinedStr, ast.BinOp)) or (
                    isinstance(first, ast.Call) and ast.unparse(first.func).endswith(".format")
                )
                if built:
                    formatted.add(name)
    assert formatted <= REVIEWED_SQL_FORMATTING, sorted(formatted - REVIEWED_SQL_FORMATTING)


def test_xml_is_parsed_through_defusedxml_only() -> None:
    direct = {"xml.dom.minidom", "xml.sax", "xml.dom.pulldom", "lxml.etree", "lxml"}
    found = []
    for name, tree in modules():
        for module in imported_modules(tree):
            if module in direct:
                found.append(f"{name}: {module}")
        for call, func in calls(tree):
            if func.endswith(("ElementTree.parse", "ElementTree.fromstring", "ET.parse", "ET.fromstring")):
                found.append(f"{name}:{call.lineno} {func}")
    assert found == []


def test_no_weak_hashes_ciphers_or_modes() -> None:
    weak_calls = {
        "hashlib.md5",
        "hashlib.sha1",
        "md5",
        "sha1",
        "modes.ECB",
        "modes.CBC",
        "padding.PKCS1v15",
        "DES",
        "ARC4",
        "Blowfish",
    }
    found = [
        f"{name}:{call.lineno} {func}"
        for name, tree in modules()
        for call, func in calls(tree)
        if func in weak_calls or func.split(".")[-1] in {"ECB", "PKCS1v15", "TripleDES", "ARC4"}
    ]
    found += [
        f"{name}: hashlib.new({ast.unparse(call.args[0])})"
        for name, tree in modules()
        for call, func in calls(tree)
        if func == "hashlib.new" and call.args and "md5" in ast.unparse(call.args[0]).lower()
    ]
    assert found == []


def test_secrets_come_from_the_secrets_module_never_from_random() -> None:
    found = []
    for name, tree in modules():
        for module in imported_modules(tree):
            if module == "random":
                found.append(f"{name}: import random")
        for call, func in calls(tree):
            if func.startswith("random."):
                found.append(f"{name}:{call.lineno} {func}")
    assert found == []


def test_secret_comparisons_are_constant_time() -> None:
    # Every module that checks a presented secret against a stored digest compares with
    # hmac.compare_digest (or looks the digest up by equality in the database, which needs no timing).
    for module in ("identity/tokens.py", "webhooks/signatures.py", "identity/sso/acceptance.py"):
        tree = ast.parse((SOURCE / module).read_text(encoding="utf-8"))
        names = {func for _, func in calls(tree)}
        assert "hmac.compare_digest" in names or "compare_digest" in names, module


def test_templates_are_never_built_from_strings_at_run_time() -> None:
    found = [
        f"{name}:{call.lineno} {func}"
        for name, tree in modules()
        for call, func in calls(tree)
        if func.split(".")[-1] in {"Template", "from_string"}
    ]
    assert found == []


def test_tls_certificates_are_always_verified() -> None:
    found = []
    for name, tree in modules():
        for call, func in calls(tree):
            for keyword in call.keywords:
                if (
                    keyword.arg == "verify"
                    and isinstance(keyword.value, ast.Constant)
                    and keyword.value.value is False
                ):
                    found.append(f"{name}:{call.lineno} {func}(verify=False)")
            if func.endswith(("_create_unverified_context", "disable_warnings")):
                found.append(f"{name}:{call.lineno} {func}")
        found += [
            f"{name}:{node.lineno} CERT_NONE"
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and node.attr == "CERT_NONE"
        ]
    assert found == []


def test_pages_keep_nothing_in_browser_storage_and_listen_to_no_messages() -> None:
    browser_apis = ("localStorage", "sessionStorage", "indexedDB", 'addEventListener("message"', "onmessage")
    found = [
        f"{path.relative_to(SOURCE)}: {api}"
        for pattern in ("*.html", "*.js")
        for path in sorted(SOURCE.rglob(pattern))
        for api in browser_apis
        if api in path.read_text(encoding="utf-8")
    ]
    assert found == []


def test_format_strings_are_literals_of_the_code() -> None:
    found = []
    for name, tree in modules():
        for call, func in calls(tree):
            if func.split(".")[-1] in {"format", "format_map"} and isinstance(call.func, ast.Attribute):
                receiver = call.func.value
                literal = isinstance(receiver, ast.Constant) and isinstance(receiver.value, str)
                sql_literal = (
                    isinstance(receiver, ast.Call)
                    and ast.unparse(receiver.func) == "sql.SQL"
                    and isinstance(receiver.args[0], ast.Constant)
                )
                # A message table of the module (`MESSAGES[code].format(...)`): constants too.
                root = receiver
                while isinstance(root, (ast.Call, ast.Attribute, ast.Subscript)):
                    root = root.func if isinstance(root, ast.Call) else root.value
                table = isinstance(root, ast.Name) and root.id.isupper()
                if not (literal or sql_literal or table):
                    found.append(f"{name}:{call.lineno} {ast.unparse(call.func)}")
    assert found == []
