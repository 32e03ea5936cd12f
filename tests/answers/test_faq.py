"""The trust center's Security FAQ: public current answers only; the cache follows the bank's writes
(invalidated on commit) and time (a certificate's expiry, a review ageing during the day)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from tests.answers.bank_helpers import backed_entry, cert, logged_in, today
from tests.answers.helpers import make_entry
from tests.compliance.helpers import builtin
from tests.factories import principal_for
from tests.trustcenter.public_data import publish
from trustroom.answers import services
from trustroom.answers.faq import published_faq
from trustroom.answers.models import AnswerEntry, AnswerEvidence
from trustroom.compliance import services as compliance
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db

FAQ = "/trust/alpha-co/faq/"
OVERVIEW = "/trust/alpha-co/"


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def actor(org_a: Any, owner_a: Any) -> Any:
    principal = principal_for(owner_a, org_a)
    with org_scope(org_a):
        publish(principal)
    return principal


def test_faq_shows_public_current_answers_and_nothing_else(client: Client, org_a: Any, actor: Any) -> None:
    with org_scope(org_a):
        backed_entry(
            actor,
            cert(actor),
            key="encryption-at-rest",
            visibility="public",
            detailed_answer="Keys are rotated <yearly>.\n\nBackups too.",
        )
        make_entry(
            actor,
            key="sso",
            question="Do you support SSO?",
            short_answer="Yes, SAML.",
            visibility="public",
            next_review_on=today() - dt.timedelta(days=3),  # review due: still published
        )
        make_entry(actor, key="staff", question="Who on staff reads data?", visibility="private")
        backed_entry(
            actor,
            cert(actor, title="Old ISO", days_left=-1),
            key="iso",
            question="Are you certified to the old ISO?",
            visibility="public",
        )
    response = client.get(FAQ)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Do you encrypt customer data at rest?" in body and "Yes, with AES-256." in body
    assert "<details>" in body and "Keys are rotated &lt;yearly&gt;." in body  # escaped, expandable
    assert "Do you support SSO?" in body
    assert "Who on staff reads data?" not in body  # private
    assert "old ISO" not in body  # stale: withheld, not even "under review"
    assert 'aria-current="page">Security FAQ<' in body
    overview = client.get(OVERVIEW).content.decode()
    assert "2 answers to common security questions" in overview
    assert f'href="{FAQ}#faq-encryption-at-rest"' in overview and ">Security FAQ</a>" in overview


def test_empty_faq_has_an_empty_state_and_no_tab(client: Client, org_a: Any, actor: Any) -> None:
    assert "No answers to common security questions" in client.get(FAQ).content.decode()
    assert ">Security FAQ</a>" not in client.get(OVERVIEW).content.decode()


def test_faq_of_an_unpublished_trust_center_is_not_found(client: Client, org_a: Any, owner_a: Any) -> None:
    with org_scope(org_a):
        make_entry(principal_for(owner_a, org_a), visibility="public")
    assert client.get(FAQ).status_code == 404


def test_the_bank_page_counts_the_public_answers_withheld(org_a: Any, owner_a: Any, actor: Any) -> None:
    with org_scope(org_a):
        old = cert(actor, title="Old ISO", days_left=-1)
        backed_entry(actor, old, key="withheld-one", visibility="public")
        backed_entry(actor, old, key="private-stale", visibility="private")
    body = logged_in(owner_a).get(f"/o/{org_a.slug}/answers/").content.decode()
    assert "1 public answer withheld as stale" in body and ">withheld-one</a>" in body


def test_faq_follows_each_write_of_the_bank_at_once(
    client: Client, org_a: Any, actor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with org_scope(org_a):
        old = cert(actor, title="Old ISO", days_left=-1)
        entry = make_entry(actor, visibility="public")
    assert "Yes, with AES-256." in client.get(FAQ).content.decode()
    with org_scope(org_a):  # a write that bypasses the services: the cached page stays as it was
        AnswerEntry.objects.filter(pk=entry.pk).update(short_answer="Quietly changed.")
    assert "Quietly changed." not in client.get(FAQ).content.decode()

    def through_services(write: Any) -> str:
        with django_capture_on_commit_callbacks(execute=True), org_scope(org_a):
            write()
        return client.get(FAQ).content.decode()

    edited = through_services(lambda: services.update_entry(actor=actor, entry=entry, short_answer="Yes."))
    assert "<p>Yes.</p>" in edited
    linked = through_services(lambda: services.add_evidence(actor=actor, entry=entry, certification=old))
    assert "Do you encrypt customer data at rest?" not in linked  # now stale: withheld

    def unlink() -> None:
        services.remove_evidence(actor=actor, evidence=AnswerEvidence.objects.get(entry=entry))

    assert "Do you encrypt customer data at rest?" in through_services(unlink)
    made = through_services(
        lambda: make_entry(actor, key="tls", question="Do you use TLS?", visibility="public")
    )
    assert "Do you use TLS?" in made
    private = through_services(lambda: services.update_entry(actor=actor, entry=entry, visibility="private"))
    assert "Do you encrypt customer data at rest?" not in private
    gone = through_services(
        lambda: services.delete_entry(actor=actor, entry=AnswerEntry.objects.get(key="tls"))
    )
    assert "Do you use TLS?" not in gone


def test_an_answer_is_withheld_from_the_day_after_its_certificate_expires(
    client: Client, org_a: Any, actor: Any
) -> None:
    with time_machine.travel(dt.datetime(2031, 3, 31, 23, 59, 30, tzinfo=dt.UTC), tick=False):
        with org_scope(org_a):
            iso = compliance.create_certification(
                actor=actor,
                kind="certificate",
                title="ISO 27001",
                valid_from=dt.date(2028, 4, 1),
                valid_until=dt.date(2031, 3, 31),  # its last valid day
            )
            backed_entry(actor, iso, visibility="public")
        warm = client.get(FAQ).content.decode()
        assert "Do you encrypt customer data at rest?" in warm
        assert client.get(FAQ).content.decode() == warm  # from the cache
    with time_machine.travel(dt.datetime(2031, 4, 1, 0, 0, 5, tzinfo=dt.UTC), tick=False):
        after = client.get(FAQ).content.decode()
        overview = client.get(OVERVIEW).content.decode()
        with org_scope(org_a):
            assert [e.key for e in published_faq().withheld] == ["encryption-at-rest"]
    assert "Do you encrypt customer data at rest?" not in after
    assert "No answers to common security questions" in after
    assert "Do you encrypt customer data at rest?" not in overview


def test_a_review_that_ages_later_today_withholds_the_answer_from_the_start_of_the_day(
    client: Client, org_a: Any, actor: Any
) -> None:
    morning = dt.datetime(2031, 6, 10, 9, 0, tzinfo=dt.UTC)
    reviewed = dt.datetime(2030, 6, 10, 15, 0, tzinfo=dt.UTC)  # a year old at 15:00 today
    with time_machine.travel(morning, tick=False):
        with org_scope(org_a):
            statement = compliance.create_statement(
                actor=actor,
                framework=builtin("iso27001-2022"),
                status="compliant",
                summary="Certified",
                last_reviewed_at=reviewed,
            )
            entry = make_entry(actor, visibility="public")
            services.add_evidence(actor=actor, entry=entry, statement=statement)
            from trustroom.answers.state import entry_freshness

            assert entry_freshness(entry).state == "fresh"  # at 09:00 it still holds...
        body = client.get(FAQ).content.decode()
    # ...but a page cached at 09:00 is served until midnight, past 15:00: it is withheld already.
    assert "Do you encrypt customer data at rest?" not in body
    with time_machine.travel(dt.datetime(2031, 6, 9, 9, 0, tzinfo=dt.UTC), tick=False), org_scope(org_a):
        assert [item.key for item in published_faq().items] == ["encryption-at-rest"]  # the day before
