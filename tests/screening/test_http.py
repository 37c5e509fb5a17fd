"""Screening through the pages: reviewers in the region, the provider completing items, the letter."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from pypdf import PdfReader
from sqlalchemy import select

from portal.clock import local
from portal.evidence import vault
from portal.extensions import db
from portal.models import Application, ApplicationStatus, Role, User
from portal.models.screening import RequirementVerdict, ScopeDecision
from portal.screening import services
from tests import factories
from tests.conftest import find, outbox, sign_in_as
from tests.matrices.evidence import add_document
from tests.querycount import count_queries, nothing_kept
from tests.screening import helpers


def signed_in(client, user, membership_id=None):
    sign_in_as(client, user, membership_id)
    with client.session_transaction() as session:
        session["locale"] = "en"
    return client


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_a_reviewer_screens_asks_for_completion_and_the_provider_fixes_exactly_that(client, app, world):
    application = helpers.submitted(world)
    base = f"/beoordeling/{application.id}"
    signed_in(client, world.user("reviewer"))

    queue = client.get("/beoordeling")
    assert queue.status_code == 200 and f'data-application="{application.id}"' in queue.get_data(as_text=True)
    page = client.get(base)
    assert page.status_code == 200 and "Take into review" in text(page)
    kvk_document = next(e.document for e in application.evidence
                        if e.requirement_id == helpers.requirement(application, "kvk_extract").id)
    assert f"/bewijsstukken/{kvk_document.id}/bestand" in page.get_data(as_text=True)

    assert client.post(f"{base}/in-behandeling", data={"version": application.version}).status_code == 302
    assert find(Application, application.id).status is ApplicationStatus.IN_REVIEW

    kvk = helpers.requirement(application, "kvk_extract")
    refused = client.post(f"{base}/oordeel", data={"requirement": kvk.id, "verdict": "reject", "reason": "", "version": "0"})
    assert refused.status_code == 422 and "Give a reason when you reject an item." in text(refused)
    assert f'href="#reason-{kvk.id}"' in refused.get_data(as_text=True), "the error summary links to the field"
    assert f'id="reason-{kvk.id}"' in refused.get_data(as_text=True)
    assert db.session.scalar(select(RequirementVerdict)) is None
    for requirement in application.round.requirements:
        if requirement.id in {e.requirement_id for e in application.evidence}:
            rejected = requirement.id == kvk.id
            response = client.post(f"{base}/oordeel", data={
                "requirement": requirement.id, "verdict": "reject" if rejected else "accept",
                "reason": "Het uittreksel is ouder dan een week." if rejected else "", "version": "0"})
            assert response.status_code == 302

    deadline = (vault.today() + timedelta(days=10)).isoformat()
    empty = client.post(f"{base}/herstelverzoek", data={"deadline": deadline})
    assert empty.status_code == 422 and "Choose at least one item" in text(empty)
    response = client.post(f"{base}/herstelverzoek", data={"requirements": [str(kvk.id)], "deadline": deadline,
                                                           "note": "Graag een nieuw uittreksel."})
    assert response.status_code == 302
    assert find(Application, application.id).status is ApplicationStatus.COMPLETION_REQUESTED
    assert any("Het uittreksel is ouder dan een week." in m.body for m in outbox())

    provider = app.test_client()
    signed_in(provider, world.user("provider_admin"))
    home = text(provider.get("/"))
    assert "Complete your application" in home
    assert 'id="completion-link"' in provider.get(f"/aanmeldingen/{application.id}").get_data(as_text=True)
    completion = provider.get(f"/aanmeldingen/{application.id}/herstel")
    body = completion.get_data(as_text=True)
    assert completion.status_code == 200
    assert re.findall(r'name="requirement-(\d+)"', body) == [str(kvk.id)], "only the listed item can be changed"
    skj = helpers.requirement(application, "skj_big")
    sneaky = provider.post(f"/aanmeldingen/{application.id}/herstel", data={f"requirement-{skj.id}": "999"})
    assert sneaky.status_code == 302, "fields of items that were not listed are ignored"

    fresh = add_document(world.provider, world.user("provider_admin"), "kvk_extract", issue_date=vault.today())
    saved = provider.post(f"/aanmeldingen/{application.id}/herstel", data={f"requirement-{kvk.id}": str(fresh.id)})
    assert saved.status_code == 302
    version = find(Application, application.id).version
    done = provider.post(f"/aanmeldingen/{application.id}/herstel/indienen", data={"version": version})
    assert done.status_code == 302
    application = find(Application, application.id)
    assert application.status is ApplicationStatus.IN_REVIEW
    assert {e.requirement_id: e.document_id for e in application.evidence}[kvk.id] == fresh.id
    assert outbox()[-1].recipient == world.user("reviewer").email

    again = text(client.get(base))
    assert "Not judged yet" in again, "the fixed item is screened again"


def test_a_double_clicked_resubmit_gives_one_resubmission_and_tells_the_second(client, app, world):
    application = helpers.completion_requested(world)
    other = app.test_client()
    signed_in(client, world.user("provider_admin"))
    signed_in(other, world.user("provider_admin"))
    version = find(Application, application.id).version

    first = client.post(f"/aanmeldingen/{application.id}/herstel/indienen", data={"version": version})
    second = other.post(f"/aanmeldingen/{application.id}/herstel/indienen", data={"version": version},
                        follow_redirects=True)

    assert first.status_code == 302
    assert "already been resubmitted" in text(second)
    assert find(Application, application.id).status is ApplicationStatus.IN_REVIEW


def test_after_the_deadline_the_page_and_the_resubmission_say_so(client, world):
    application = helpers.completion_requested(world)
    request = services.open_request(db.session, application)
    request.deadline = request.requested_at - timedelta(days=1) if request.requested_at else request.deadline
    db.session.commit()
    signed_in(client, world.user("provider_admin"))

    page = text(client.get(f"/aanmeldingen/{application.id}/herstel"))
    assert "The deadline passed on" in page and "Resubmit the items</" not in page
    response = client.post(f"/aanmeldingen/{application.id}/herstel/indienen",
                           data={"version": find(Application, application.id).version}, follow_redirects=True)
    assert "can no longer be resubmitted" in text(response)
    assert find(Application, application.id).status is ApplicationStatus.COMPLETION_REQUESTED


def test_the_proposer_cannot_confirm_even_by_posting_directly(client, world):
    decision = helpers.proposed(world)
    signed_in(client, world.user("reviewer"))

    page = text(client.get(f"/beoordeling/{decision.scope.application_id}"))
    assert f'id="confirm-{decision.scope_id}"' not in page and "another reviewer must confirm it" in page
    response = client.post(f"/beoordeling/besluit/{decision.id}/bevestigen", data={"version": decision.version},
                           follow_redirects=True)
    assert "four-eyes" in text(response)
    assert find(ScopeDecision, decision.id).confirmed_by_id is None


def test_two_reviewers_decide_through_the_pages_and_the_second_confirmation_is_told(client, app, world):
    decision = helpers.proposed(world)
    second, third = app.test_client(), app.test_client()
    signed_in(second, helpers.second_reviewer(world))
    signed_in(third, world.user("buyer"))
    application_id = decision.scope.application_id

    assert f'id="confirm-{decision.scope_id}"' in second.get(f"/beoordeling/{application_id}").get_data(as_text=True)
    first = second.post(f"/beoordeling/besluit/{decision.id}/bevestigen", data={"version": decision.version})
    late = third.post(f"/beoordeling/besluit/{decision.id}/bevestigen", data={"version": decision.version},
                      follow_redirects=True)

    assert first.status_code == 302
    assert "already confirmed" in text(late)
    assert find(Application, application_id).status is ApplicationStatus.DECIDED
    assert find(ScopeDecision, decision.id).confirmed_by_id == helpers.second_reviewer(world).id


def test_a_rejection_proposal_needs_reasons_and_keeps_what_was_typed(client, world):
    application = helpers.in_review(world)
    signed_in(client, world.user("reviewer"))
    scope = application.scopes[0]

    response = client.post(f"/beoordeling/{application.id}/besluit", data={"scope": scope.id, "outcome": "rejected",
                                                                          "reasons": ""})
    assert response.status_code == 422 and "Give the reasons for rejecting." in text(response)
    assert f'href="#reasons-{scope.id}"' in response.get_data(as_text=True), "the error summary links to the field"
    response = client.post(f"/beoordeling/{application.id}/besluit", data={"scope": scope.id, "outcome": "admitted"})
    assert response.status_code == 422 and "accepted first" in text(response)
    assert db.session.scalar(select(ScopeDecision)) is None


def test_the_letter_is_a_real_pdf_with_the_reasons_for_the_provider_and_the_region(client, world):
    application = helpers.in_review(world, groups=("BEH", "BGI"))
    helpers.judge_all(application, world.user("reviewer"))
    second = helpers.second_reviewer(world)
    one = services.propose(db.session, scope=application.scopes[0], outcome=helpers.Outcome.ADMITTED, reasons="",
                           actor=world.user("reviewer"))
    two = services.propose(db.session, scope=application.scopes[1], outcome=helpers.Outcome.REJECTED,
                           reasons="Geen ervaring met begeleiding aangetoond.", actor=second)
    services.confirm(db.session, decision=one, seen_version=None, actor=second)
    services.confirm(db.session, decision=two, seen_version=None, actor=world.user("reviewer"))
    application.round.complaint_period_days = 20  # as the round announced it
    db.session.commit()

    signed_in(client, world.user("provider_member"))
    page = text(client.get(f"/besluitbrief/{application.id}"))
    assert "Geen ervaring met begeleiding aangetoond." in page and "Tweede Beoordelaar" in page
    assert "within 20 days of the date of this letter" in page
    response = client.get(f"/besluitbrief/{application.id}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    reader = PdfReader(io.BytesIO(response.data))
    content = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    assert "Geen ervaring met begeleiding aangetoond." in content
    assert world.user("reviewer").name in content and world.municipality.name in content

    signed_in(client, world.user("auditor"))
    assert client.get(f"/besluitbrief/{application.id}/pdf").status_code == 200


def test_another_provider_and_another_region_get_404_for_queue_items_letters_and_files(client, world):
    application = helpers.decided(world)
    document = application.evidence[0].document
    outsiders = [db.session.scalar(select(User).where(User.email == email))
                 for email in ("other_provider_admin@test.example.org", "other_region_admin@test.example.org")]
    for outsider in outsiders:
        signed_in(client, outsider)
        assert client.get(f"/besluitbrief/{application.id}").status_code == 404
        assert client.get(f"/besluitbrief/{application.id}/pdf").status_code == 404
        assert client.get(f"/bewijsstukken/{document.id}/bestand").status_code == 404
    signed_in(client, outsiders[1])
    assert client.get(f"/beoordeling/{application.id}").status_code == 404
    assert f'data-application="{application.id}"' not in client.get("/beoordeling").get_data(as_text=True)
    signed_in(client, outsiders[0])
    assert client.get(f"/aanmeldingen/{application.id}/herstel").status_code == 404


def test_reviewers_download_exactly_the_submitted_versions_and_nothing_else(client, world):
    application = helpers.submitted(world)
    submitted_document = application.evidence[0].document
    loose = add_document(world.provider, world.user("provider_admin"), "gva")

    signed_in(client, world.user("reviewer"))
    response = client.get(f"/bewijsstukken/{submitted_document.id}/bestand")
    assert response.status_code == 200 and response.headers["Content-Disposition"].startswith("attachment")
    assert client.get(f"/bewijsstukken/{loose.id}/bestand").status_code == 404
    signed_in(client, world.user("policy_officer"))
    assert client.get(f"/bewijsstukken/{submitted_document.id}/bestand").status_code == 404


def test_a_draft_is_not_in_the_queue_and_cannot_be_opened_by_staff(client, world):
    from tests.applications.helpers import complete_application
    from tests.rounds.helpers import published_round

    draft = complete_application(world, published_round(world))
    signed_in(client, world.user("reviewer"))
    assert client.get(f"/beoordeling/{draft.id}").status_code == 404
    assert "No applications match these filters." in text(client.get("/beoordeling"))


def test_the_auditor_reads_but_cannot_act(client, world):
    application = helpers.submitted(world)
    signed_in(client, world.user("auditor"))
    page = text(client.get(f"/beoordeling/{application.id}"))
    assert "Take into review" not in page
    assert client.post(f"/beoordeling/{application.id}/in-behandeling").status_code == 403
    assert find(Application, application.id).status is ApplicationStatus.SUBMITTED


def test_forms_without_a_csrf_token_are_refused(csrf_app, world):
    application = helpers.submitted(world)
    client = csrf_app.test_client()
    signed_in(client, world.user("reviewer"))
    response = client.post(f"/beoordeling/{application.id}/in-behandeling", data={"version": application.version})
    assert response.status_code in (302, 400)
    assert find(Application, application.id).status is ApplicationStatus.SUBMITTED


def test_the_queue_filters_and_pages_through_the_form(client, world):
    helpers.submitted(world, "Ronde A")
    other = factories.ProviderFactory(name="Zeldzame Zorg")
    helpers.submitted(world, "Ronde B", provider=other, user=factories.member(Role.PROVIDER_ADMIN, other))
    signed_in(client, world.user("buyer"))

    page = client.get("/beoordeling", query_string={"provider": "zeldzame"})
    assert "Zeldzame Zorg" in text(page) and "Aanbieder Een" not in text(page)
    wrong = client.get("/beoordeling", query_string={"round": "999999"})
    assert wrong.status_code == 422 and "<title>Error: Screening" in text(wrong)
    assert client.get("/beoordeling", query_string={"round": "999999"}).status_code == 422, "kept with its status"


def test_the_queue_sends_as_many_queries_for_many_applications_as_for_few(client, world):
    signed_in(client, world.user("reviewer"))
    helpers.submitted(world, "Ronde 1")
    client.get("/beoordeling")
    nothing_kept()
    with count_queries() as few:
        assert client.get("/beoordeling").status_code == 200
    with count_queries() as kept_page:
        assert client.get("/beoordeling").status_code == 200
    assert kept_page.count < few.count
    for number in range(2, 6):
        provider = factories.ProviderFactory()
        helpers.submitted(world, f"Ronde {number}", groups=("BEH", "BGI"), provider=provider,
                          user=factories.member(Role.PROVIDER_ADMIN, provider))
    nothing_kept()
    with count_queries() as many:
        page = client.get("/beoordeling")
    assert page.get_data(as_text=True).count("data-application=") == 5
    assert many.count == few.count, many.statements
    for application in db.session.scalars(select(Application)):  # the scopes are counted, not loaded
        row = re.search(rf'data-application="{application.id}">(.*?)</tr>', page.get_data(as_text=True), re.S).group(1)
        assert row.rstrip().endswith(f"<td>{len(application.scopes)}</td>"), row
    assert {len(application.scopes) for application in db.session.scalars(select(Application))} == {1, 2}


def test_the_kept_queue_shows_every_change_at_once_and_counts_the_days_at_each_request(client, world, monkeypatch):
    first = helpers.submitted(world, "Ronde 1")
    signed_in(client, world.user("reviewer"))
    client.get("/beoordeling")
    with count_queries() as kept_page:
        page = text(client.get("/beoordeling"))
    assert f'data-application="{first.id}"' in page and "Submitted" in page
    assert kept_page.count == 1, kept_page.statements  # the tokens: the user and the queue are kept

    second = helpers.submitted(world, "Ronde 2")  # a new row
    assert f'data-application="{second.id}"' in text(client.get("/beoordeling"))
    services.take_into_review(db.session, application=first, seen_version=None, actor=world.user("reviewer"))
    db.session.commit()  # a row's status
    row = re.search(rf'data-application="{first.id}">(.*?)</tr>', text(client.get("/beoordeling"))).group(1)
    assert "In review" in row
    world.provider.name = "Hernoemde Aanbieder"
    db.session.commit()  # an organisation's name
    assert "Hernoemde Aanbieder" in text(client.get("/beoordeling"))

    # The next day the days waited are counted again.
    later_on = local(first.submitted_at).date() + timedelta(days=3)
    monkeypatch.setattr("portal.screening.views.today", lambda: later_on)
    row = re.search(rf'data-application="{first.id}">(.*?)</tr>', text(client.get("/beoordeling"))).group(1)
    assert '<td class="days-waited">3</td>' in row
    with client.session_transaction() as session:
        session["locale"] = "nl"
    assert "Dagen wachtend" in text(client.get("/beoordeling")), "each language its own"
