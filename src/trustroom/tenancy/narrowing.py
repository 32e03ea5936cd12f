"""Reader narrowing: the one place that limits what a period-scoped reader (an auditor) reads.

It sits next to the organization scope (`tenancy.scope`) and works the same way: a context variable
holds the active narrowing, and the default manager of every organization-owned model applies it after
the organization filter (`OrgScopedManager.get_queryset`). So every read in an auditor's request, pages,
API, selectors, templates and counts alike, sees only what their audit periods cover, with no per-view
code. Each model states what a period admits where its policy is registered
(`tenancy.policies.register(Model, policy, period_rule=...)`); a model without a rule reads nothing for
a period-scoped reader (fail closed).

Who is period-scoped: a member signed in with the auditor role. Platform support staff under a read
grant act with the auditor role too, but keep the grant's full read; so does an API token with the
`audit` scope: only owners and admins make tokens, and an `audit` token is their own read of the whole
organization with its audit log (a SIEM export, say), not an external auditor's seat. The periods come
from a provider the controls app registers (tenancy does not import controls); they are read once, when
the narrowing is entered. No provider, or no assigned period: the reader reads nothing.

Internal reads and writes done on the reader's behalf (the audit chain, a download record, a package
build) run inside `unnarrowed()`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Model, Q, QuerySet

if TYPE_CHECKING:
    from trustroom.tenancy.principal import Principal


@dataclass(frozen=True)
class AuditWindow:
    """One assigned audit period, as the narrowing needs it: its window [starts_at, ends_at)."""

    period_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    framework_codes: tuple[str, ...] = ()


_Rows = TypeVar("_Rows", bound=QuerySet[Any])

WindowProvider = Callable[["Principal"], Sequence[AuditWindow]]
_window_provider: WindowProvider | None = None


def register_window_provider(provider: WindowProvider) -> None:
    """Name the function that lists a principal's audit windows (the controls app does, on ready)."""
    global _window_provider
    _window_provider = provider


class ReaderNarrowing:
    """The windows of one reader, and each model's clause under them (built once per model)."""

    def __init__(self, principal: Principal, windows: Sequence[AuditWindow]) -> None:
        self.principal = principal
        self.windows = tuple(windows)
        self._clauses: dict[type[Model], Q | None] = {}

    @property
    def period_ids(self) -> list[int]:
        return [window.period_id for window in self.windows]

    @property
    def user_id(self) -> Any:
        return getattr(self.principal.user, "pk", None)

    def clause(self, model: type[Model]) -> Q | None:
        """What the windows admit of `model`; None = nothing (no rule, or no window)."""
        if model not in self._clauses:
            self._clauses[model] = None  # a rule that reads its own model back gets nothing, not a loop
            with unnarrowed():
                self._clauses[model] = self._build_clause(model)
        return self._clauses[model]

    def _build_clause(self, model: type[Model]) -> Q | None:
        from trustroom.tenancy.policies import period_rule_for

        rule = period_rule_for(model)
        if rule is None or not self.windows:
            return None
        return rule(self)

    def rows(self, model: type[Model]) -> QuerySet[Any]:
        """The rows of `model` this reader may read (for rules that follow another model's rule)."""
        return self.apply(model._default_manager.all())

    def apply(self, queryset: _Rows) -> _Rows:
        clause = self.clause(queryset.model)
        if clause is None:
            return queryset.none()
        # Through a subquery, so rules that follow multi-valued relations never repeat a row.
        with unnarrowed():
            admitted = queryset.model._default_manager.filter(clause).values("pk")
        return queryset.filter(pk__in=admitted)


PeriodRule = Callable[[ReaderNarrowing], Q]

_current: ContextVar[ReaderNarrowing | None] = ContextVar("trustroom_reader_narrowing", default=None)
_suspended: ContextVar[bool] = ContextVar("trustroom_reader_narrowing_suspended", default=False)


def current_narrowing() -> ReaderNarrowing | None:
    return None if _suspended.get() else _current.get()


def narrow(queryset: _Rows) -> _Rows:
    """`queryset` as the active reader may read it (unchanged when nobody is narrowed)."""
    narrowing = current_narrowing()
    return queryset if narrowing is None else narrowing.apply(queryset)


def is_period_scoped(principal: Principal) -> bool:
    from trustroom.tenancy.models import Role

    return principal.role == Role.AUDITOR and principal.is_member and not principal.is_support


def narrowing_for(principal: Principal) -> ReaderNarrowing | None:
    """The narrowing `principal` reads under, or None when they read the whole organization."""
    if not is_period_scoped(principal):
        return None
    with unnarrowed():
        windows = _window_provider(principal) if _window_provider is not None else ()
    return ReaderNarrowing(principal, windows)


def enter_narrowing(principal: Principal) -> Token[ReaderNarrowing | None]:
    """Start narrowing reads to `principal`'s periods; give the token back to `leave_narrowing`.

    For request flows that learn the principal in one method and finish in another (the API's
    authentication step); elsewhere use `reader_narrowing`.
    """
    return _current.set(narrowing_for(principal))


def leave_narrowing(token: Token[ReaderNarrowing | None]) -> None:
    _current.reset(token)


@contextmanager
def reader_narrowing(principal: Principal) -> Iterator[ReaderNarrowing | None]:
    """Run the block with reads narrowed to what `principal` may read (no-op for unscoped roles)."""
    token = enter_narrowing(principal)
    try:
        yield _current.get()
    finally:
        leave_narrowing(token)


@contextmanager
def unnarrowed() -> Iterator[None]:
    """Suspend the narrowing for internal reads and writes (the organization scope still applies)."""
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)


# --- Rules ------------------------------------------------------------------------------------------


def per_window(clause: Callable[[AuditWindow], Q]) -> PeriodRule:
    """Rows that `clause` admits for at least one of the reader's windows."""

    def rule(narrowing: ReaderNarrowing) -> Q:
        return reduce(or_, (clause(window) for window in narrowing.windows))

    return rule


def current_configuration() -> PeriodRule:
    """Every row, for a reader with at least one period: settings that say how the organization is set up
    now (sign-in, the IP allowlist, support access) are what an auditor checks controls against, not
    records sampled from a window. A reader with no period still reads nothing."""
    return lambda narrowing: Q()


def occurred_in(field: str) -> PeriodRule:
    """Rows whose datetime `field` lies inside a window: starts_at <= field < ends_at."""
    return per_window(lambda w: Q(**{f"{field}__gte": w.starts_at, f"{field}__lt": w.ends_at}))


def of_assigned_periods(field: str) -> PeriodRule:
    """Rows whose `field` names one of the reader's assigned periods (the period itself: "pk")."""
    return lambda narrowing: Q(**{f"{field}__in": narrowing.period_ids})


def belonging_to_reader(field: str) -> PeriodRule:
    """Rows whose user `field` is the reader (for a token: the person who made it)."""
    return lambda narrowing: Q(**{field: narrowing.user_id})


def followed_from(model: Callable[[], type[Model]], field: str) -> PeriodRule:
    """Rows that a readable row of another model points at through `field` (e.g. evidence's document).

    `model` is called when the rule first runs, so the app registering the rule need not import the
    other app at module level.
    """

    def rule(narrowing: ReaderNarrowing) -> Q:
        return Q(pk__in=narrowing.rows(model()).values(field))

    return rule
