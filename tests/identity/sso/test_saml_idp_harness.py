"""Self-tests of the loopback SAML IdP (``saml_idp``): python3-saml, the library allauth's SAML provider
uses, plays a strict service provider. Each defective response must be refused by the strict SP for the
defect under test, and accepted by the same SP with ``strict`` off, which still checks the signatures:
so the defect is the only thing wrong with it and the signature over it is intact."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from defusedxml import ElementTree
from onelogin.saml2.auth import OneLogin_Saml2_Auth
from onelogin.saml2.constants import OneLogin_Saml2_Constants
from onelogin.saml2.settings import OneLogin_Saml2_Settings

from tests.identity.sso.saml_idp import SamlIdP, SamlIdPError

SP_HOST = "sp.example.test"
SP_ENTITY_ID = f"https://{SP_HOST}/saml/metadata/"
SP_ACS = f"https://{SP_HOST}/saml/acs/"
OTHER_SP_ENTITY_ID = "https://other-sp.example.test/saml/metadata/"
OTHER_SP_ACS = "https://other-sp.example.test/saml/acs/"
EMAIL = "ada@example.test"
NS = {"samlp": OneLogin_Saml2_Constants.NS_SAMLP, "saml": OneLogin_Saml2_Constants.NS_SAML}


def sp_settings(
    idp: SamlIdP, *, strict: bool = True, entity_id: str = SP_ENTITY_ID, acs: str = SP_ACS
) -> Any:
    return OneLogin_Saml2_Settings(
        {
            "strict": strict,
            "sp": {
                "entityId": entity_id,
                "assertionConsumerService": {
                    "url": acs,
                    "binding": OneLogin_Saml2_Constants.BINDING_HTTP_POST,
                },
                "NameIDFormat": OneLogin_Saml2_Constants.NAMEID_EMAIL_ADDRESS,
            },
            "idp": {
                "entityId": idp.entity_id,
                "singleSignOnService": {
                    "url": idp.sso_url,
                    "binding": OneLogin_Saml2_Constants.BINDING_HTTP_REDIRECT,
                },
                "x509cert": idp.certificate,
            },
            "security": {
                "wantAssertionsSigned": True,
                "wantNameId": True,
                "rejectDeprecatedAlgorithm": True,
            },
        }
    )


def http_request(*, path: str, post: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "https": "on",
        "http_host": SP_HOST,
        "script_name": path,
        "get_data": {},
        "post_data": post or {},
    }


def start_login(idp: SamlIdP, relay_state: str = "https://sp.example.test/after/") -> tuple[str, str]:
    """The SP's AuthnRequest: (redirect URL to the IdP, request id)."""
    auth = OneLogin_Saml2_Auth(http_request(path="/saml/login/"), sp_settings(idp))
    url = auth.login(return_to=relay_state)
    return url, auth.get_last_request_id()


def consume(idp: SamlIdP, form: dict[str, str], request_id: str | None, *, strict: bool = True) -> Any:
    """What the SP's ACS does with the POSTed form; returns the auth object (errors, attributes)."""
    auth = OneLogin_Saml2_Auth(
        http_request(path="/saml/acs/", post={"SAMLResponse": form["SAMLResponse"]}),
        sp_settings(idp, strict=strict),
    )
    auth.process_response(request_id=request_id)
    return auth


def assert_refused(auth: Any, reason: str) -> None:
    assert auth.get_errors(), "the strict SP accepted the response"
    assert not auth.is_authenticated()
    assert reason.lower() in (auth.get_last_error_reason() or "").lower(), auth.get_last_error_reason()


def assert_accepted(auth: Any) -> None:
    assert auth.get_errors() == [], auth.get_last_error_reason()
    assert auth.is_authenticated()


def response_xml(form: dict[str, str]) -> Any:
    return ElementTree.fromstring(base64.b64decode(form["SAMLResponse"]))


@pytest.fixture
def idp(saml_idp: SamlIdP) -> SamlIdP:
    saml_idp.reset()
    saml_idp.register_sp(sp_settings(saml_idp).get_sp_metadata())
    saml_idp.set_account(EMAIL, "Ada Lovelace", uid="ada-1")
    return saml_idp


def test_a_normal_response_validates_and_carries_the_account(idp: SamlIdP) -> None:
    url, request_id = start_login(idp, relay_state="https://sp.example.test/next/")
    form = idp.respond_to(url)
    assert form["acs_url"] == SP_ACS
    assert form["RelayState"] == "https://sp.example.test/next/"

    auth = consume(idp, form, request_id)

    assert_accepted(auth)
    assert auth.get_nameid() == EMAIL
    assert auth.get_nameid_format() == OneLogin_Saml2_Constants.NAMEID_EMAIL_ADDRESS
    assert auth.get_attributes() == {"email": [EMAIL], "name": ["Ada Lovelace"], "uid": ["ada-1"]}
    assert auth.get_last_response_in_response_to() == request_id


def test_assertion_is_signed_and_response_signature_is_optional(idp: SamlIdP) -> None:
    url, request_id = start_login(idp)
    xml = response_xml(idp.respond_to(url))
    assert xml.find("saml:Assertion/{http://www.w3.org/2000/09/xmldsig#}Signature", NS) is not None
    assert xml.find("{http://www.w3.org/2000/09/xmldsig#}Signature") is None

    idp.next_response(sign_response=True)
    url, request_id = start_login(idp)
    form = idp.respond_to(url)
    assert response_xml(form).find("{http://www.w3.org/2000/09/xmldsig#}Signature") is not None
    assert_accepted(consume(idp, form, request_id))


def test_unsigned_assertion_is_refused(idp: SamlIdP) -> None:
    idp.next_response(sign_assertion=False)
    url, request_id = start_login(idp)
    form = idp.respond_to(url)
    assert response_xml(form).find("saml:Assertion/{http://www.w3.org/2000/09/xmldsig#}Signature", NS) is None

    assert_refused(consume(idp, form, request_id), "signed")


def test_controls_apply_to_the_next_response_only(idp: SamlIdP) -> None:
    idp.next_response(sign_assertion=False)
    url, request_id = start_login(idp)
    assert_refused(consume(idp, idp.respond_to(url), request_id), "signed")

    url, request_id = start_login(idp)
    assert_accepted(consume(idp, idp.respond_to(url), request_id))


def test_wrong_audience_is_refused_only_for_the_audience(idp: SamlIdP) -> None:
    idp.register_sp(sp_settings(idp, entity_id=OTHER_SP_ENTITY_ID, acs=OTHER_SP_ACS).get_sp_metadata())
    idp.next_response(audience=OTHER_SP_ENTITY_ID)
    url, request_id = start_login(idp)
    form = idp.respond_to(url)
    audience = response_xml(form).find(
        "saml:Assertion/saml:Conditions/saml:AudienceRestriction/saml:Audience", NS
    )
    assert audience is not None
    assert audience.text == OTHER_SP_ENTITY_ID

    assert_refused(consume(idp, form, request_id), "audience")
    assert_accepted(consume(idp, form, request_id, strict=False))


def test_expired_response_is_refused_only_for_its_validity_window(idp: SamlIdP) -> None:
    # Issued two hours ago, valid for five minutes.
    idp.next_response(issue_instant_offset_minutes=-120, not_on_or_after_minutes=5)
    url, request_id = start_login(idp)
    form = idp.respond_to(url)

    assert_refused(consume(idp, form, request_id), "expired")
    assert_accepted(consume(idp, form, request_id, strict=False))


def test_wrong_recipient_destination_or_in_response_to_is_refused(idp: SamlIdP) -> None:
    for controls, reason in [
        # python3-saml reports a wrong Recipient as "no valid SubjectConfirmation".
        ({"recipient": "https://evil.example.test/acs/"}, "valid SubjectConfirmation"),
        ({"destination": "https://evil.example.test/acs/"}, "instead of https://evil.example.test/acs/"),
        ({"in_response_to": "_not-the-request"}, "InResponseTo"),
    ]:
        idp.next_response(**controls)
        url, request_id = start_login(idp)
        form = idp.respond_to(url)
        assert_refused(consume(idp, form, request_id), reason)
        assert_accepted(consume(idp, form, request_id, strict=False))


def test_idp_initiated_response_has_no_in_response_to(idp: SamlIdP) -> None:
    form = idp.idp_initiated(SP_ENTITY_ID, relay_state="/o/alpha-co/")

    assert form["acs_url"] == SP_ACS
    assert form["RelayState"] == "/o/alpha-co/"
    xml = response_xml(form)
    assert xml.get("InResponseTo") is None
    confirmation = xml.find(
        "saml:Assertion/saml:Subject/saml:SubjectConfirmation/saml:SubjectConfirmationData", NS
    )
    assert confirmation is not None
    assert confirmation.get("InResponseTo") is None
    assert confirmation.get("Recipient") == SP_ACS
    # Validly signed and otherwise sound: only an SP that refuses unsolicited responses refuses it.
    assert_accepted(consume(idp, form, None))


def test_the_idp_names_what_is_wrong_with_a_bad_call(idp: SamlIdP) -> None:
    with pytest.raises(SamlIdPError, match="unknown control 'sign_everything'"):
        idp.next_response(sign_everything=True)
    with pytest.raises(SamlIdPError, match="'not_on_or_after_minutes' must be an integer"):
        idp.next_response(not_on_or_after_minutes="5")
    with pytest.raises(SamlIdPError, match="is not registered"):
        idp.idp_initiated("https://unknown.example.test/")
    with pytest.raises(SamlIdPError, match="not this IdP's SSO URL"):
        idp.respond_to("https://elsewhere.example.test/sso/redirect?SAMLRequest=x")


def test_without_json_the_idp_answers_with_an_auto_submitting_form(idp: SamlIdP) -> None:
    url, _request_id = start_login(idp)
    page = idp.session.get(url, timeout=15)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert f'action="{SP_ACS}"' in page.text
    assert 'name="SAMLResponse"' in page.text
    assert 'name="RelayState"' in page.text


def test_idp_metadata_names_its_entity_sso_endpoint_and_certificate(idp: SamlIdP) -> None:
    metadata = idp.metadata_xml()
    assert f'entityID="{idp.entity_id}"' in metadata
    assert idp.sso_url in metadata
    assert idp.certificate in metadata
    assert idp.certificate_pem.startswith("-----BEGIN CERTIFICATE-----")
