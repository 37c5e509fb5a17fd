"""A provider applies to an Open House round: scope, self-declaration, evidence, check, submit once."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.applications import services
from portal.clock import now
from portal.evidence import vault
from portal.extensions import db
from portal.models import (
    Application,
    ApplicationEvent,
    ApplicationEvidence,
    ApplicationStatus,
    LegalForm,
    PartnerRole,
    Role,
    User,
)
from portal.rounds import services as round_services
from tests import factories
from tests.applications.helpers import CLEAN_ANSWERS, complete_application, fill_vault, group
from tests.conftest import find, outbox, sign_in_as
from tests.matrices.evidence import add_document
from tests.querycount import count_queries, nothing_kept
from tests.rounds.helpers import draft_round, published_round


def in_english(client) -> None:
    with client.session_transaction() as session:
        session["locale"] = "en"


def signed_in(client, user):
    sign_in_as(client, user)
    in_english(client)
    return client


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def version_in(response) -> str:
    match = re.search(r'name="version" type="hidden" value="(\d+)"|id="version" name="version" type="hidden" value="(\d+)"',
                      response.get_data(as_text=True))
    if match is None:
        match = re.search(r'name="version"[^>]*value="(\d+)"', response.get_data(as_text=True))
    assert match, "no version in the form"
    return next(g for g in match.groups() if g)


def submissions(application_id: int) -> int:
    return db.session.scalar(select(func.count(ApplicationEvent.id)).where(
        ApplicationEvent.application_id == application_id, ApplicationEvent.status == ApplicationStatus.SUBMITTED))


# The whole path --------------------------------------------------------------------------------


def test_a_provider_applies_through_every_step_and_gets_a_confirmation(client, world):
    round = published_round(world)
    admin = world.user("provider_admin")
    documents = fill_vault(world.provider, admin)
    signed_in(client, admin)

    started = client.post(f"/aanmeldingen/ronde/{round.id}")
    assert started.status_code == 302 and started.headers["Location"].endswith("/percelen")
    application = db.session.scalar(select(Application).where(Application.provider_id == world.provider.id))
    base = f"/aanmeldingen/{application.id}"
    assert client.post(f"/aanmeldingen/ronde/{round.id}").headers["Location"].endswith(f"{base}/percelen"), \
        "a second start opens the same application"

    beh = group(round, "BEH")
    response = client.post(f"{base}/percelen", data={"scopes": [f"{world.municipality.id}:{beh.id}"]})
    assert response.status_code == 302 and response.headers["Location"].endswith("/verklaring")

    answers = {f"applies-{code}": "yes" if applies else "no" for code, (applies, _e) in CLEAN_ANSWERS.items()}
    response = client.post(f"{base}/verklaring", data=answers)
    assert response.status_code == 302 and response.headers["Location"].endswith("/onderaannemers")

    response = client.post(f"{base}/onderaannemers", data={"name": "Onder BV", "kvk_number": "12345678",
                                                            "role": "subcontractor", "share_percent": "15"})
    assert response.status_code == 302

    page = client.get(f"{base}/bewijsstukken")
    assert "SKJ" in text(page) and "WNT" in text(page)
    requirements = {r.evidence_type.code: r for r in round.requirements}
    response = client.post(f"{base}/bewijsstukken", data={
        f"requirement-{requirements[code].id}": str(documents[code].id) for code in ("kvk_extract", "skj_big", "wnt_statement")
    })
    assert response.status_code == 302 and response.headers["Location"].endswith("/controleren")

    check = client.get(f"{base}/controleren")
    assert "The application is complete." in text(check)
    response = client.post(f"{base}/indienen", data={"version": version_in(check)})
    assert response.status_code == 302 and response.headers["Location"].endswith(base)

    application = find(Application, application.id)
    assert application.status is ApplicationStatus.SUBMITTED
    assert application.submitted_by_id == admin.id
    assert {item.document_id for item in application.evidence} == {d.id for d in documents.values()}
    mail = outbox()
    assert [m.recipient for m in mail] == [admin.email]
    assert round.title in mail[0].subject and f"/aanmeldingen/{application.id}" in mail[0].body
    status = text(client.get(base))
    assert "Submitted" in status and "What you must do next" in status


# The completeness check ------------------------------------------------------------------------


def test_a_missing_and_an_expired_document_are_listed_with_their_reasons(world):
    round = published_round(world)
    admin = world.user("provider_admin")
    today = vault.today()
    old = today - timedelta(days=200)
    kvk = add_document(world.provider, admin, "kvk_extract", issue_date=old)
    application = services.start_application(db.session, round=round, provider=world.provider, actor=admin)
    services.set_scopes(db.session, application=application, seen_version=None, actor=admin,
                        pairs={(world.municipality.id, group(round, "BGI").id)})
    services.save_declaration(db.session, application=application, answers=CLEAN_ANSWERS, seen_version=None, actor=admin)
    kvk_requirement = next(r for r in round.requirements if r.evidence_type.code == "kvk_extract")
    services.choose_documents(db.session, application=application, seen_version=None, actor=admin,
                              choices={kvk_requirement.id: kvk})

    with force_locale("en"):
        problems = [p.message for p in services.completeness(application, today)]

    assert problems == [
        f"Uittreksel Kamer van Koophandel: Issued on {old.isoformat()}: more than 183 days ago.",
        "WNT-verantwoording 2025: no document chosen.",
    ] or problems == [
        f"Chamber of Commerce extract: Issued on {old.isoformat()}: more than 183 days ago.",
        "WNT accountability statement 2025: no document chosen.",
    ]


def test_a_withdrawn_version_and_an_unanswered_declaration_are_listed(world):
    round = published_round(world)
    application = complete_application(world, round, groups=("BGI",))
    kvk = next(e.document for e in application.evidence if e.document.evidence_type.code == "kvk_extract")
    vault.withdraw(db.session, document=kvk, actor=world.user("provider_admin"))
    application.declarations.remove(application.declarations[0])

    with force_locale("en"):
        problems = services.completeness(application, vault.today())

    assert [(p.step, p.message) for p in problems] == [
        ("declaration", "Statement 1 of the self-declaration is not answered."),
        ("evidence", "Chamber of Commerce extract: the chosen version was withdrawn."),
    ]


def test_the_check_page_links_each_problem_to_the_step_that_fixes_it(client, world):
    round = published_round(world)
    application = services.start_application(db.session, round=round, provider=world.provider,
                                             actor=world.user("provider_member"))
    db.session.commit()
    signed_in(client, world.user("provider_admin"))

    page = text(client.get(f"/aanmeldingen/{application.id}/controleren"))

    assert f'href="/aanmeldingen/{application.id}/percelen">Choose at least one product group' in page
    assert f'href="/aanmeldingen/{application.id}/verklaring#applies-conviction_fraud"' in page
    assert "Submit the application" not in page


def test_an_exclusion_ground_that_applies_needs_an_explanation(client, world):
    round = published_round(world)
    admin = world.user("provider_admin")
    application = services.start_application(db.session, round=round, provider=world.provider, actor=admin)
    db.session.commit()

    with pytest.raises(services.InvalidAnswers) as refused:
        services.save_declaration(db.session, application=application, seen_version=None, actor=admin,
                                  answers={**CLEAN_ANSWERS, "taxes_unpaid": (True, "  ")})
    assert set(refused.value.errors) == {"taxes_unpaid"}
    db.session.rollback()

    signed_in(client, admin)
    response = client.post(f"/aanmeldingen/{application.id}/verklaring", data={
        "applies-taxes_unpaid": "yes", "applies-bankruptcy": "no", "explanation-bankruptcy": "Typed text stays",
    })
    page = text(response)
    assert response.status_code == 422
    assert 'href="#explanation-taxes_unpaid"' in page
    assert re.search(r'<input checked id="applies-taxes_unpaid-0"[^>]*value="yes"', page), "the answer is kept"
    assert "Typed text stays" in page
    assert find(Application, application.id).declarations == []

    response = client.post(f"/aanmeldingen/{application.id}/verklaring", data={
        "applies-taxes_unpaid": "yes", "explanation-taxes_unpaid": "Betalingsregeling met de Belastingdienst, afgelost in 2025.",
    })
    assert response.status_code == 302
    answer = find(Application, application.id).declarations[0]
    assert answer.applies is True and answer.explanation.startswith("Betalingsregeling")


def test_a_subcontractor_needs_a_kvk_number_of_8_digits_and_input_is_kept(client, world):
    round = published_round(world)
    application = services.start_application(db.session, round=round, provider=world.provider,
                                             actor=world.user("provider_member"))
    db.session.commit()
    signed_in(client, world.user("provider_member"))

    response = client.post(f"/aanmeldingen/{application.id}/onderaannemers",
                           data={"name": "Partner Zorg", "kvk_number": "1234", "role": "combination_partner", "share_percent": "40"})

    assert response.status_code == 422
    assert "A KvK number has 8 digits." in text(response) and 'value="Partner Zorg"' in text(response)
    assert find(Application, application.id).subcontractors == []


# Submitting --------------------------------------------------------------------------------------


def test_a_closed_window_refuses_submission_and_the_application_stays_a_draft(client, world):
    round = published_round(world)
    application = complete_application(world, round)
    window = round.windows[0]
    window.opens_at, window.closes_at = now() - timedelta(days=10), now() - timedelta(hours=1)
    db.session.commit()
    signed_in(client, world.user("provider_admin"))

    response = client.post(f"/aanmeldingen/{application.id}/indienen", data={"version": str(application.version)})

    assert response.status_code == 422
    assert "No entry window of this round is open now" in text(response)
    assert find(Application, application.id).status is ApplicationStatus.DRAFT
    assert outbox() == []


def test_a_submit_after_the_window_closed_is_refused_by_the_service(world):
    round = published_round(world)
    application = complete_application(world, round)

    with pytest.raises(services.ApplicationError, match="entry window"):
        services.submit(db.session, application=application, seen_version=application.version,
                        actor=world.user("provider_admin"), at=now() + timedelta(days=31))
    assert application.status is ApplicationStatus.DRAFT


def test_an_incomplete_application_cannot_be_submitted(world):
    round = published_round(world)
    application = services.start_application(db.session, round=round, provider=world.provider,
                                             actor=world.user("provider_admin"))

    with pytest.raises(services.ApplicationError, match="not complete"):
        services.submit(db.session, application=application, seen_version=None, actor=world.user("provider_admin"))
    assert application.status is ApplicationStatus.DRAFT


def test_a_double_submit_with_the_same_seen_version_gives_one_submission(world):
    round = published_round(world)
    application = complete_application(world, round)
    seen = application.version
    admin = world.user("provider_admin")

    services.submit(db.session, application=application, seen_version=seen, actor=admin)
    with pytest.raises(services.AlreadySubmitted):
        services.submit(db.session, application=application, seen_version=seen, actor=admin)
    db.session.commit()

    assert submissions(application.id) == 1
    assert len(outbox()) == 1


def test_two_colleagues_submitting_at_the_same_moment_give_one_submission(world):
    round = published_round(world)
    colleague = factories.member(Role.PROVIDER_ADMIN, world.provider, email="collega@test.example.org")
    application = complete_application(world, round)
    first, second = Session(db.engine), Session(db.engine)
    try:
        mine = services.load_application(first, application.id)
        theirs = services.load_application(second, application.id)
        seen = mine.version
        assert theirs.version == seen and theirs.is_draft

        services.submit(first, application=mine, seen_version=seen, actor=first.get(User, world.user("provider_admin").id))
        first.commit()
        with pytest.raises(services.AlreadySubmitted, match="already been submitted"):
            services.submit(second, application=theirs, seen_version=seen, actor=second.get(User, colleague.id))
        second.commit()
    finally:
        first.close()
        second.close()

    assert submissions(application.id) == 1
    assert sorted(m.recipient for m in outbox()) == sorted([world.user("provider_admin").email, colleague.email])


def test_a_double_click_in_two_browser_sessions_submits_once_and_tells_the_second(client, app, world):
    round = published_round(world)
    application = complete_application(world, round)
    other = app.test_client()
    signed_in(client, world.user("provider_admin"))
    signed_in(other, world.user("provider_admin"))
    seen_by_one = version_in(client.get(f"/aanmeldingen/{application.id}/controleren"))
    seen_by_other = version_in(other.get(f"/aanmeldingen/{application.id}/controleren"))

    first = client.post(f"/aanmeldingen/{application.id}/indienen", data={"version": seen_by_one})
    second = other.post(f"/aanmeldingen/{application.id}/indienen", data={"version": seen_by_other}, follow_redirects=True)

    assert first.status_code == 302
    assert "already been submitted" in text(second)
    assert submissions(application.id) == 1


def test_after_submitting_nothing_can_be_changed(client, world):
    round = published_round(world)
    application = complete_application(world, round)
    admin = world.user("provider_admin")
    services.submit(db.session, application=application, seen_version=None, actor=admin)
    db.session.commit()
    bgi = group(round, "BGI")

    with pytest.raises(services.AlreadySubmitted):
        services.set_scopes(db.session, application=application, seen_version=None, actor=admin,
                            pairs={(world.municipality.id, bgi.id)})
    with pytest.raises(services.AlreadySubmitted):
        services.add_subcontractor(db.session, application=application, name="Laat BV", kvk_number="87654321",
                                   role=PartnerRole.SUBCONTRACTOR, share_percent=10, actor=admin)
    db.session.rollback()

    signed_in(client, world.user("provider_member"))
    response = client.post(f"/aanmeldingen/{application.id}/percelen",
                           data={"scopes": [f"{world.municipality.id}:{bgi.id}"]}, follow_redirects=True)
    assert "can no longer be changed" in text(response)
    assert [s.product_group.code for s in find(Application, application.id).scopes] == ["BEH"]


def test_only_an_administrator_submits(client, world):
    round = published_round(world)
    application = complete_application(world, round)
    signed_in(client, world.user("provider_member"))

    assert "Only an administrator" in text(client.get(f"/aanmeldingen/{application.id}/controleren"))
    assert client.post(f"/aanmeldingen/{application.id}/indienen", data={"version": str(application.version)}).status_code == 403
    assert find(Application, application.id).status is ApplicationStatus.DRAFT


# Other providers -------------------------------------------------------------------------------


def test_another_provider_gets_404_and_cannot_use_a_document_of_another_provider(client, world):
    round = published_round(world)
    application = complete_application(world, round)
    outsider = db.session.scalar(select(User).where(User.email == "other_provider_admin@test.example.org"))
    foreign = add_document(world.other_provider, outsider, "kvk_extract")
    kvk_requirement = next(r for r in round.requirements if r.evidence_type.code == "kvk_extract")

    signed_in(client, outsider)
    for path in ("", "/percelen", "/verklaring", "/onderaannemers", "/bewijsstukken", "/controleren"):
        assert client.get(f"/aanmeldingen/{application.id}{path}").status_code == 404, path
    assert client.post(f"/aanmeldingen/{application.id}/indienen", data={"version": "1"}).status_code == 404

    with pytest.raises(services.ApplicationError, match="own evidence vault"):
        services.choose_documents(db.session, application=application, seen_version=None, actor=world.user("provider_admin"),
                                  choices={kvk_requirement.id: foreign})
    db.session.rollback()

    signed_in(client, world.user("provider_admin"))
    response = client.post(f"/aanmeldingen/{application.id}/bewijsstukken",
                           data={f"requirement-{kvk_requirement.id}": str(foreign.id)})
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(ApplicationEvidence.id)).where(ApplicationEvidence.document_id == foreign.id)) == 0


def test_staff_cannot_see_applications_yet(client, world):
    round = published_round(world)
    application = complete_application(world, round)
    signed_in(client, world.user("reviewer"))

    assert client.get(f"/aanmeldingen/{application.id}").status_code == 404


# What is offered and asked ---------------------------------------------------------------------


def test_a_product_group_a_municipality_closed_cannot_be_chosen(client, world):
    round = draft_round(world, "Met gesloten perceel")
    buyer = world.user("buyer")
    bgi = group(round, "BGI")
    round_services.set_municipalities(db.session, round=round, closed={world.municipality.id: {bgi.id}}, actor=buyer)
    round_services.publish(db.session, round=round, seen_version=None, actor=buyer)
    admin = world.user("provider_admin")
    application = services.start_application(db.session, round=round, provider=world.provider, actor=admin)
    db.session.commit()

    with pytest.raises(services.ApplicationError, match="keeps open"):
        services.set_scopes(db.session, application=application, seen_version=None, actor=admin,
                            pairs={(world.municipality.id, bgi.id)})
    db.session.rollback()

    signed_in(client, admin)
    page = client.get(f"/aanmeldingen/{application.id}/percelen")
    assert f'value="{world.municipality.id}:{bgi.id}"' not in text(page)
    assert "closed in this municipality" in text(page)
    response = client.post(f"/aanmeldingen/{application.id}/percelen", data={"scopes": [f"{world.municipality.id}:{bgi.id}"]})
    assert response.status_code == 422
    assert find(Application, application.id).scopes == []


def test_the_documents_asked_follow_legal_form_and_product_groups(world):
    round = published_round(world)
    sole_trader = factories.ProviderFactory(name="Zzp Jeugdhulp", legal_form=LegalForm.EENMANSZAAK)
    owner = factories.member(Role.PROVIDER_ADMIN, sole_trader)
    foundation = services.start_application(db.session, round=round, provider=world.provider, actor=world.user("provider_admin"))
    solo = services.start_application(db.session, round=round, provider=sole_trader, actor=owner)
    beh, bgi = group(round, "BEH"), group(round, "BGI")

    def asked(application, *groups) -> set[str]:
        services.set_scopes(db.session, application=application, seen_version=None, actor=owner,
                            pairs={(world.municipality.id, g.id) for g in groups})
        return {r.evidence_type.code for r in services.applicable_requirements(application)}

    assert asked(foundation, bgi) == {"kvk_extract", "wnt_statement"}
    assert asked(foundation, beh, bgi) == {"kvk_extract", "skj_big", "wnt_statement"}
    assert asked(solo, beh) == {"kvk_extract", "skj_big"}
    assert asked(solo, bgi) == {"kvk_extract"}


def test_the_evidence_page_offers_only_valid_versions_and_a_link_to_upload(client, world):
    round = published_round(world)
    admin = world.user("provider_admin")
    today = vault.today()
    fresh = add_document(world.provider, admin, "kvk_extract", issue_date=today - timedelta(days=5))
    expired_skj = add_document(world.provider, admin, "skj_big", issue_date=today - timedelta(days=400),
                               expiry_date=today - timedelta(days=1))
    application = services.start_application(db.session, round=round, provider=world.provider, actor=admin)
    services.set_scopes(db.session, application=application, seen_version=None, actor=admin,
                        pairs={(world.municipality.id, group(round, "BEH").id)})
    db.session.commit()
    signed_in(client, admin)

    page = text(client.get(f"/aanmeldingen/{application.id}/bewijsstukken"))

    assert f'<option value="{fresh.id}">' in page
    assert f'<option value="{expired_skj.id}">' not in page
    assert "/bewijsstukken/toevoegen?soort=skj_big" in page


# Query counts -----------------------------------------------------------------------------------


def _fill(world, application, admin, documents, *, partners: int, groups) -> None:
    """Give the application scopes, answers, partners and documents."""
    services.set_scopes(db.session, application=application, seen_version=None, actor=admin,
                        pairs={(world.municipality.id, g.id) for g in groups})
    services.save_declaration(db.session, application=application, answers=CLEAN_ANSWERS, seen_version=None, actor=admin)
    for i in range(len(application.subcontractors), partners):
        services.add_subcontractor(db.session, application=application, name=f"Partner {i}", kvk_number=f"1000000{i}",
                                   role=PartnerRole.SUBCONTRACTOR, share_percent=5, actor=admin)
    by_type = {d.evidence_type_id: d for d in documents.values()}
    services.choose_documents(db.session, application=application, seen_version=None, actor=admin,
                              choices={r.id: by_type[r.evidence_type_id] for r in services.applicable_requirements(application)})
    db.session.commit()


def test_the_list_and_check_pages_send_as_many_statements_for_much_data_as_for_little(client, world):
    round = published_round(world)
    admin = world.user("provider_admin")
    documents = fill_vault(world.provider, admin)
    application = services.start_application(db.session, round=round, provider=world.provider, actor=admin)
    _fill(world, application, admin, documents, partners=1, groups=[group(round, "BGI")])
    signed_in(client, admin)
    urls = ["/aanmeldingen", f"/aanmeldingen/{application.id}/controleren", f"/aanmeldingen/{application.id}",
            f"/aanmeldingen/{application.id}/bewijsstukken"]
    little = {}
    for url in urls:
        client.get(url)
        nothing_kept()
        with count_queries() as counted:
            assert client.get(url).status_code == 200
        little[url] = counted.count

    _fill(world, find(Application, application.id), admin, documents, partners=6, groups=round.product_groups)
    for title in ("Tweede ronde", "Derde ronde"):
        services.start_application(db.session, round=published_round(world, title), provider=world.provider, actor=admin)
    db.session.commit()

    for url in urls:
        nothing_kept()
        with count_queries() as counted:
            assert client.get(url).status_code == 200
        assert counted.count == little[url], f"{url}:\n" + "\n".join(counted.statements)
