"""Screening told as the reviewers' and the provider's stories, through the services."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.applications import services as applications
from portal.clock import from_local, now
from portal.evidence import vault
from portal.evidence.vault import today
from portal.extensions import db
from portal.models import (
    Admission,
    Application,
    ApplicationEvent,
    ApplicationStatus,
    AuditEvent,
    Role,
    User,
)
from portal.models.screening import Outcome, RequirementVerdict, ScopeDecision
from portal.screening import services
from tests import factories
from tests.conftest import find, outbox
from tests.matrices.evidence import add_document
from tests.screening import helpers


def test_taking_an_application_into_review_moves_it_on_once_and_tells_the_provider(world):
    application = helpers.submitted(world)
    seen = application.version
    before = len(outbox())

    services.take_into_review(db.session, application=application, seen_version=seen, actor=world.user("reviewer"))
    db.session.commit()
    with pytest.raises(services.Conflict, match="already taken"):
        services.take_into_review(db.session, application=application, seen_version=seen, actor=world.user("buyer"))

    assert find(Application, application.id).status is ApplicationStatus.IN_REVIEW
    mail = outbox()[before:]
    assert sorted(m.recipient for m in mail) == sorted([world.user("provider_admin").email, world.user("provider_member").email])
    assert "reviewed" in mail[0].subject or "beoordeeld" in mail[0].subject
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "application.in_review")) == 1


def test_rejecting_an_item_needs_a_reason(world):
    application = helpers.in_review(world)
    kvk = helpers.requirement(application, "kvk_extract")

    with pytest.raises(services.ScreeningError, match="reason"):
        services.record_verdict(db.session, application=application, requirement=kvk, accepted=False, reason="  ",
                                seen_version=None, actor=world.user("reviewer"))
    verdict = services.record_verdict(db.session, application=application, requirement=kvk, accepted=False,
                                      reason="Te oud.", seen_version=0, actor=world.user("reviewer"))
    db.session.commit()

    assert find(RequirementVerdict, verdict.id).reason == "Te oud."
    assert verdict.document_id == next(e.document_id for e in application.evidence if e.requirement_id == kvk.id)


def test_two_reviewers_judging_the_same_item_at_once_never_overwrite_each_other(world):
    application = helpers.in_review(world)
    kvk = helpers.requirement(application, "kvk_extract")
    services.record_verdict(db.session, application=application, requirement=kvk, accepted=True, reason="",
                            seen_version=0, actor=world.user("reviewer"))
    db.session.commit()
    seen = services.verdicts_of(db.session, application)[kvk.id].version

    services.record_verdict(db.session, application=application, requirement=kvk, accepted=False, reason="Onleesbaar.",
                            seen_version=seen, actor=world.user("buyer"))
    db.session.commit()
    with pytest.raises(services.Conflict, match="same moment"):
        services.record_verdict(db.session, application=application, requirement=kvk, accepted=True, reason="",
                                seen_version=seen, actor=world.user("reviewer"))
    with pytest.raises(services.Conflict):
        services.record_verdict(db.session, application=application, requirement=kvk, accepted=True, reason="",
                                seen_version=0, actor=world.user("reviewer"))

    verdict = services.verdicts_of(db.session, application)[kvk.id]
    assert (verdict.accepted, verdict.reason) == (False, "Onleesbaar.")


def test_a_completion_request_names_only_rejected_items_and_needs_a_future_deadline(world):
    application = helpers.in_review(world)
    reviewer = world.user("reviewer")
    helpers.judge_all(application, reviewer, {"kvk_extract": "Te oud."})
    kvk, skj = helpers.requirement(application, "kvk_extract"), helpers.requirement(application, "skj_big")

    with pytest.raises(services.ScreeningError, match="Only rejected items"):
        services.request_completion(db.session, application=application, requirement_ids=[skj.id], statements=[],
                                    deadline=now() + timedelta(days=7), note="", actor=reviewer)
    with pytest.raises(services.ScreeningError, match="future"):
        services.request_completion(db.session, application=application, requirement_ids=[kvk.id], statements=[],
                                    deadline=now() - timedelta(hours=1), note="", actor=reviewer)
    before = len(outbox())
    request = services.request_completion(db.session, application=application, requirement_ids=[kvk.id],
                                          statements=["bankruptcy"], deadline=now() + timedelta(days=7), note="Graag aanvullen.",
                                          actor=reviewer)
    db.session.commit()

    assert find(Application, application.id).status is ApplicationStatus.COMPLETION_REQUESTED
    assert services.listed_requirement_ids(request) == {kvk.id}
    assert services.listed_statements(request) == {"bankruptcy"}
    mail = outbox()[before:]
    assert len(mail) == 2 and "Te oud." in mail[0].body


def test_the_provider_can_change_only_the_listed_items(world):
    application = helpers.completion_requested(world)
    admin = world.user("provider_admin")
    request = services.open_request(db.session, application)
    skj = helpers.requirement(application, "skj_big")
    new_skj = add_document(world.provider, admin, "skj_big", issue_date=vault.today() - timedelta(days=5),
                           expiry_date=vault.today() + timedelta(days=400), issuer="SKJ")

    with pytest.raises(services.ScreeningError, match="frozen"):
        services.replace_documents(db.session, application=application, request=request, choices={skj.id: new_skj},
                                   actor=admin)
    with pytest.raises(services.ScreeningError, match="frozen"):
        services.answer_statements(db.session, application=application, request=request,
                                   answers={"bankruptcy": (False, "")}, actor=admin)
    with pytest.raises(applications.AlreadySubmitted):
        applications.set_scopes(db.session, application=application, pairs=set(), seen_version=None, actor=admin)


def test_a_fixed_item_is_resubmitted_once_and_screened_again(world):
    application = helpers.completion_requested(world)
    admin = world.user("provider_admin")
    kvk = helpers.requirement(application, "kvk_extract")
    fresh = add_document(world.provider, admin, "kvk_extract", issue_date=vault.today() - timedelta(days=1))
    request = services.open_request(db.session, application)
    services.replace_documents(db.session, application=application, request=request, choices={kvk.id: fresh}, actor=admin)
    db.session.commit()
    seen = application.version
    before = len(outbox())

    services.resubmit(db.session, application=application, request=request, seen_version=seen, actor=admin)
    db.session.commit()
    with pytest.raises(services.Conflict, match="already been resubmitted"):
        services.resubmit(db.session, application=application, request=services.open_request(db.session, application),
                          seen_version=seen, actor=admin)

    application = find(Application, application.id)
    assert application.status is ApplicationStatus.IN_REVIEW
    assert next(e.document_id for e in application.evidence if e.requirement_id == kvk.id) == fresh.id
    verdicts = services.verdicts_of(db.session, application)
    assert kvk.id not in verdicts, "the fixed item must be judged again"
    assert len(verdicts) == 2, "the other verdicts stay"
    assert [m.recipient for m in outbox()[before:]] == [world.user("reviewer").email]


def test_two_browser_sessions_resubmitting_at_once_give_one_resubmission(world):
    application = helpers.completion_requested(world)
    admin = world.user("provider_admin")
    first, second = Session(db.engine), Session(db.engine)
    try:
        mine = services.load_application(first, application.id)
        theirs = services.load_application(second, application.id)
        my_request, their_request = services.open_request(first, mine), services.open_request(second, theirs)
        services.resubmit(first, application=mine, request=my_request, seen_version=mine.version,
                          actor=first.get(User, admin.id))
        first.commit()
        with pytest.raises(services.Conflict, match="already been resubmitted"):
            services.resubmit(second, application=theirs, request=their_request, seen_version=theirs.version,
                              actor=second.get(User, admin.id))
        second.rollback()
    finally:
        first.close()
        second.close()

    events = db.session.scalar(select(func.count(ApplicationEvent.id)).where(
        ApplicationEvent.application_id == application.id, ApplicationEvent.status == ApplicationStatus.IN_REVIEW))
    assert events == 2, "taken into review once, resubmitted once"


def test_a_resubmission_after_the_deadline_is_refused_with_a_clear_message(world):
    application = helpers.completion_requested(world, days=1)
    request = services.open_request(db.session, application)

    with pytest.raises(services.ScreeningError, match="deadline .* passed"):
        services.resubmit(db.session, application=application, request=request, seen_version=None,
                          actor=world.user("provider_admin"), at=now() + timedelta(days=2))
    assert find(Application, application.id).status is ApplicationStatus.COMPLETION_REQUESTED


def test_a_resubmission_with_a_missing_or_an_expired_document_is_refused(world):
    application = helpers.completion_requested(world, rejected=("kvk_extract", "skj_big"))
    admin = world.user("provider_admin")
    request = services.open_request(db.session, application)
    kvk = helpers.requirement(application, "kvk_extract")
    skj = helpers.requirement(application, "skj_big")
    # The SKJ registration runs out before the day of resubmission; the KvK version gets withdrawn.
    short = add_document(world.provider, admin, "skj_big", issue_date=vault.today() - timedelta(days=300),
                         expiry_date=vault.today() + timedelta(days=2), issuer="SKJ")
    services.replace_documents(db.session, application=application, request=request, choices={skj.id: short}, actor=admin)
    kvk_document = next(e.document for e in application.evidence if e.requirement_id == kvk.id)
    vault.withdraw(db.session, document=kvk_document, actor=admin, reason="verkeerd bestand")
    db.session.commit()

    with pytest.raises(services.ScreeningError) as refused:
        services.resubmit(db.session, application=application, request=request, seen_version=None, actor=admin,
                          at=now() + timedelta(days=5))
    message = str(refused.value)
    assert "withdrawn" in message and "SKJ" in message
    assert find(Application, application.id).status is ApplicationStatus.COMPLETION_REQUESTED


def test_the_proposer_can_never_confirm_their_own_proposal(world):
    decision = helpers.proposed(world)

    with pytest.raises(services.FourEyes, match="another reviewer"):
        services.confirm(db.session, decision=decision, seen_version=decision.version, actor=world.user("reviewer"))
    db.session.rollback()
    assert find(ScopeDecision, decision.id).confirmed_by_id is None


def test_admission_needs_every_item_accepted_and_rejection_needs_reasons(world):
    application = helpers.in_review(world)
    helpers.judge_all(application, world.user("reviewer"), {"skj_big": "Registratie verlopen."})
    scope = application.scopes[0]

    with pytest.raises(services.ScreeningError, match="accepted first"):
        services.propose(db.session, scope=scope, outcome=Outcome.ADMITTED, reasons="", actor=world.user("reviewer"))
    with pytest.raises(services.ScreeningError, match="reasons"):
        services.propose(db.session, scope=scope, outcome=Outcome.REJECTED, reasons=" ", actor=world.user("reviewer"))
    decision = services.propose(db.session, scope=scope, outcome=Outcome.REJECTED, reasons="Geen geldige SKJ-registratie.",
                                actor=world.user("reviewer"))
    db.session.commit()
    assert find(ScopeDecision, decision.id).outcome is Outcome.REJECTED


def test_a_confirmed_admission_decides_the_application_enters_the_register_and_sends_the_letter(world):
    decision = helpers.proposed(world)
    before = len(outbox())

    services.confirm(db.session, decision=decision, seen_version=decision.version, actor=helpers.second_reviewer(world))
    db.session.commit()

    application = find(Application, decision.scope.application_id)
    assert application.status is ApplicationStatus.DECIDED
    admission = db.session.scalar(select(Admission).where(Admission.application_scope_id == decision.scope_id))
    assert admission is not None and admission.provider_id == world.provider.id
    assert len(outbox()) - before == 2
    letter = services.letter(db.session, application)
    assert [s.name for s in letter.signers] == [world.user("reviewer").name, "Tweede Beoordelaar"]


def test_an_application_is_decided_only_when_every_scope_is_confirmed(world):
    application = helpers.in_review(world, groups=("BEH", "BGI"))
    helpers.judge_all(application, world.user("reviewer"))
    second = helpers.second_reviewer(world)
    first_scope, second_scope = application.scopes
    one = services.propose(db.session, scope=first_scope, outcome=Outcome.ADMITTED, reasons="", actor=world.user("reviewer"))
    services.confirm(db.session, decision=one, seen_version=None, actor=second)
    db.session.commit()
    assert find(Application, application.id).status is ApplicationStatus.IN_REVIEW

    two = services.propose(db.session, scope=second_scope, outcome=Outcome.REJECTED, reasons="Geen plek.", actor=second)
    services.confirm(db.session, decision=two, seen_version=None, actor=world.user("reviewer"))
    db.session.commit()
    assert find(Application, application.id).status is ApplicationStatus.DECIDED
    assert db.session.scalar(select(func.count(Admission.id))) == 1, "only the admitted scope enters the register"


def test_two_reviewers_confirming_the_same_proposal_at_once_give_one_confirmation(world):
    decision = helpers.proposed(world)
    third = factories.member(Role.REVIEWER, world.region, email="derde@test.example.org", name="Derde")
    first, second = Session(db.engine), Session(db.engine)
    try:
        mine, theirs = first.get(ScopeDecision, decision.id), second.get(ScopeDecision, decision.id)
        assert mine.scope.application.status is theirs.scope.application.status is ApplicationStatus.IN_REVIEW
        seen = mine.version
        services.confirm(first, decision=mine, seen_version=seen, actor=first.get(User, helpers.second_reviewer(world).id))
        first.commit()
        with pytest.raises(services.Conflict, match="already confirmed"):
            services.confirm(second, decision=theirs, seen_version=seen, actor=second.get(User, third.id))
        second.rollback()
    finally:
        first.close()
        second.close()

    assert find(ScopeDecision, decision.id).confirmed_by_id == helpers.second_reviewer(world).id
    assert db.session.scalar(select(func.count(Admission.id))) == 1


def test_two_reviewers_proposing_on_the_same_scope_at_once_give_one_proposal(world):
    application = helpers.in_review(world)
    helpers.judge_all(application, world.user("reviewer"))
    first, second = Session(db.engine), Session(db.engine)
    try:
        mine = services.load_application(first, application.id)
        theirs = services.load_application(second, application.id)
        services.propose(first, scope=mine.scopes[0], outcome=Outcome.ADMITTED, reasons="",
                         actor=first.get(User, world.user("reviewer").id))
        first.commit()
        with pytest.raises(services.Conflict, match="same moment"):
            services.propose(second, scope=theirs.scopes[0], outcome=Outcome.REJECTED, reasons="Nee.",
                             actor=second.get(User, world.user("buyer").id))
        second.rollback()
    finally:
        first.close()
        second.close()

    decisions = list(db.session.scalars(select(ScopeDecision)))
    assert [(d.outcome, d.proposed_by_id) for d in decisions] == [(Outcome.ADMITTED, world.user("reviewer").id)]


def test_a_proposal_can_be_withdrawn_until_it_is_confirmed(world):
    decision = helpers.proposed(world)
    scope_id = decision.scope_id
    services.withdraw_proposal(db.session, decision=decision, seen_version=decision.version, actor=world.user("buyer"))
    db.session.commit()
    assert db.session.scalar(select(ScopeDecision).where(ScopeDecision.scope_id == scope_id)) is None

    application = helpers.decided(world, title="Andere ronde")
    confirmed = services.decisions_of(db.session, application)[application.scopes[0].id]
    with pytest.raises(services.Conflict, match="already been confirmed"):
        services.withdraw_proposal(db.session, decision=confirmed, seen_version=None, actor=world.user("buyer"))


def test_the_queue_lists_the_region_s_submitted_applications_longest_waiting_first(world):
    older = helpers.submitted(world, "Ronde A")
    newer = helpers.in_review(world, title="Ronde B")
    other = factories.ProviderFactory(name="Derde Aanbieder")
    helpers.submitted(world, "Ronde C", provider=other, user=factories.member(Role.PROVIDER_ADMIN, other))
    from tests.applications.helpers import complete_application
    from tests.rounds.helpers import published_round
    complete_application(world, published_round(world, "Ronde D"))  # a draft never shows
    db.session.execute(Application.__table__.update().where(Application.id == older.id)
                       .values(submitted_at=from_local(today() - timedelta(days=9), time(23, 59))))
    db.session.commit()

    page = services.queue(db.session, region_id=world.region.id, criteria=services.QueueFilter())
    assert page.total == 3
    assert [row.id for row in page.rows][0] == older.id
    assert page.rows[0].days_waited(today()) == 9 and page.rows[-1].days_waited(today()) == 0

    by_status = services.queue(db.session, region_id=world.region.id,
                               criteria=services.QueueFilter(status=ApplicationStatus.IN_REVIEW))
    assert [r.id for r in by_status.rows] == [newer.id]
    by_name = services.queue(db.session, region_id=world.region.id, criteria=services.QueueFilter(provider_name="derde"))
    assert [r.provider for r in by_name.rows] == ["Derde Aanbieder"]
    group = newer.scopes[0].product_group_id
    by_group = services.queue(db.session, region_id=world.region.id, criteria=services.QueueFilter(product_group_id=group))
    assert [r.id for r in by_group.rows] == [newer.id]
    by_municipality = services.queue(db.session, region_id=world.region.id,
                                     criteria=services.QueueFilter(municipality_id=world.municipality.id, round_id=older.round_id))
    assert [r.id for r in by_municipality.rows] == [older.id]
    paged = services.queue(db.session, region_id=world.region.id, criteria=services.QueueFilter(), page=2, per_page=2)
    assert paged.total == 3 and len(paged.rows) == 1
    past_the_end = services.queue(db.session, region_id=world.region.id, criteria=services.QueueFilter(), page=3, per_page=2)
    assert past_the_end.total == 3 and past_the_end.rows == ()
    assert by_status.total == 1 and by_name.total == 1
    assert services.queue(db.session, region_id=world.other_region.id, criteria=services.QueueFilter()).total == 0


def test_the_provider_s_inbox_lists_drafts_completion_requests_and_unread_letters(world):
    from tests.applications.helpers import complete_application
    from tests.rounds.helpers import published_round

    draft = complete_application(world, published_round(world, "Concept"))
    asked = helpers.completion_requested(world, title="Herstel")
    decided = helpers.decided(world, title="Besloten")

    actions = services.inbox(db.session, world.provider)
    assert [(a.kind, a.application.id) for a in actions] == [
        ("completion", asked.id), ("draft", draft.id), ("letter", decided.id)]
    assert actions[0].deadline is not None

    services.mark_letter_read(db.session, application=decided, actor=world.user("provider_member"))
    db.session.commit()
    assert "letter" not in [a.kind for a in services.inbox(db.session, world.provider)]
    assert services.inbox(db.session, world.other_provider) == []
