"""Derive `requirements.json` (identifiers and short titles only) from the upstream framework lists.

Run from the project root when the upstream lists change:
    .venv/bin/python -m trustroom.compliance.data.derive ../shared/data/frameworks

Only an identifier and a title cut to TITLE_LIMIT characters are kept per requirement: the product
ships no long requirement text (see NOTICE).
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

TITLE_LIMIT = 80
HERE = Path(__file__).resolve().parent

# built-in framework code -> (source file under the upstream directory, how to read it)
SOURCES: dict[str, list[str]] = {
    "iso27001-2022": ["probo/ISO27001-2022.json"],
    "soc2-type1": ["probo/SOC2.json"],
    "soc2-type2": ["probo/SOC2.json"],
    "pci-dss": ["probo/PCI-DSS.json"],
    "gdpr": ["probo/GDPR.json"],
    "hipaa": ["probo/HIPAA.json", "opengrc/hipaa-security-rule.csv"],
}


def short_title(text: str, *, limit: int = TITLE_LIMIT) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:-")
    return cut + "…"


def hipaa_title(text: str) -> str:
    # "Administrative Safeguards - Risk Analysis: Conduct an accurate …" -> the part before the colon.
    head = text.split(": ", 1)[0]
    return short_title(head)


def read_probo(path: Path, *, hipaa: bool = False) -> list[tuple[str, str]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    rows = []
    for control in data["controls"]:
        name = control["name"]
        rows.append((control["id"].strip(), hipaa_title(name) if hipaa else short_title(name)))
    return rows


def read_opengrc_hipaa(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            (row["Code"].lstrip("§").strip(), short_title(row["Title"])) for row in csv.DictReader(handle)
        ]


def derive(upstream: Path) -> dict[str, list[list[str]]]:
    result: dict[str, list[list[str]]] = {}
    for code, files in SOURCES.items():
        seen: dict[str, str] = {}
        for name in files:
            path = upstream / name
            if name.endswith(".csv"):
                rows = read_opengrc_hipaa(path)
            else:
                rows = read_probo(path, hipaa=code == "hipaa")
            for identifier, title in rows:
                seen.setdefault(identifier, title)  # the first source wins; later ones fill gaps
        result[code] = [[identifier, title] for identifier, title in seen.items()]
    return result


def main(argv: list[str]) -> None:
    upstream = Path(argv[1] if len(argv) > 1 else "../shared/data/frameworks")
    out = HERE / "requirements.json"
    out.write_text(json.dumps(derive(upstream), indent=0, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv)
