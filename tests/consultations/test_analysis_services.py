"""The analysis as staff use it: points traced to their source, coding, reactions with a second
reviewer, the reactienota that refuses to finalise early, summaries, feedback and the command line."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from consultations import archive
from consultations.analysis import feedback, memo, responses, services, summaries
from consultations.analysis.models import PointReaction, ReactionStatus
from consultations.analysis.services import AnalysisError, StaleEdit
from consultations.models import Answer, Audience, Meeting, MeetingQuestion, Point, Response
from portal.extensions import db
from portal.models import AuditEvent
from tests.consultations.data import LETTER, import_consultation, points


def _letter_consultation(world):
    consultation = import_consultation(world.region, labelled=points()[:6], coded_every=None)
    response = db.session.scalars(select(Response).where(Response.consultation_id == consultation.id)
                                  .order_by(Response.id)).first()
    answer = next(a for a in response.answers if a.question.key == "q2")
    answer.points.clear()
    db.session.flush()
    answer.text = LETTER
    db.session.commit()
    return consultation, answer


def test_a_letter_split_into_points_leads_back_to_its_source(world):
    consultation, answer = _letter_consultation(world)
    officer = world.user("policy_officer")

    made = services.split_answer(db.session, answer=answer, actor=officer)
    db.session.commit()

    assert len(made) == 5
    for point in made:
        assert point.answer.response.ref.startswith("r-")
        assert services.source_of(point) == point.text
        assert LETTER[point.source_start:point.source_end] == point.text
    assert [p.position for p in made] == [1, 2, 3, 4, 5]
    assert len({p.ref for p in made}) == 5
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "consultation.points_split")) == 1


def test_staff_split_merge_and_edit_points_and_each_keeps_its_source(world):
    consultation, answer = _letter_consultation(world)
    officer = world.user("policy_officer")
    first, second, *_ = services.split_answer(db.session, answer=answer, actor=officer)
    offset = first.text.index("Wij hebben")

    new = services.split_point(db.session, point=first, offset=offset, seen_version=first.version, actor=officer)
    db.session.commit()

    first, new = db.session.get(Point, first.id), db.session.get(Point, new.id)
    assert first.text.endswith("reageren op het concept inkoopkader.")
    assert new.text.startswith("Wij hebben het concept besproken")
    assert services.source_of(first) == first.text and services.source_of(new) == new.text
    assert [p.id for p in db.session.get(Answer, answer.id).points][:3] == [first.id, new.id, second.id]

    new_id = new.id
    services.merge_with_next(db.session, point=first, seen_version=first.version, actor=officer)
    db.session.commit()
    merged = db.session.get(Point, first.id)
    assert "inkoopkader.\n\nWij hebben" in merged.text
    assert db.session.scalar(select(Point.id).where(Point.id == new_id)) is None
    assert LETTER[merged.source_start:merged.source_end].startswith("Namens de adviesraad")

    services.edit_point(db.session, point=merged, text="Dank voor de gelegenheid.", seen_version=merged.version, actor=officer)
    db.session.commit()
    assert services.source_of(merged).startswith("Namens de adviesraad")


def test_two_staff_coding_the_same_point_do_not_overwrite_each_other(world):
    consultation = import_consultation(world.region, labelled=points()[:4])
    db.session.commit()
    point = db.session.scalars(select(Point).where(Point.consultation_id == consultation.id)).first()
    seen = point.version
    themes = {t.key: t for t in consultation.themes}
    services.code_point(db.session, point=point, theme=themes["kwaliteit"], seen_version=seen, actor=world.user("policy_officer"))
    db.session.commit()

    with pytest.raises(StaleEdit, match="Someone else changed this point"):
        services.code_point(db.session, point=point, theme=themes["tarieven"], seen_version=seen,
                            actor=world.user("region_admin"))
    assert db.session.get(Point, point.id).theme.key == "kwaliteit"


def test_secondary_themes_and_merging_themes(world):
    consultation = import_consultation(world.region, labelled=points()[:4])
    db.session.commit()
    officer = world.user("policy_officer")
    themes = {t.key: t for t in consultation.themes}
    point = db.session.scalars(select(Point).where(Point.consultation_id == consultation.id)).first()
    services.code_point(db.session, point=point, theme=themes["wachttijden"], secondary=[themes["crisis"], themes["gezin"]],
                        seen_version=point.version, actor=officer)
    db.session.commit()
    assert [t.key for t in services.secondary_themes(db.session, [point])[point.id]] == ["crisis", "gezin"]

    services.merge_themes(db.session, source=themes["crisis"], target=themes["gezin"], actor=officer)
    db.session.commit()
    assert [t.key for t in services.secondary_themes(db.session, [point])[point.id]] == ["gezin"]


def test_suggestions_for_a_consultation_name_points_by_ref_and_skip_coded_ones(world):
    consultation = import_consultation(world.region, labelled=points()[:30], coded_every=2)
    db.session.commit()

    found = services.suggestions(db.session, consultation)

    assert sorted(s.point for s in found) == sorted(f"p-{i}" for i in range(2, 31, 2))
    assert all(1 <= len(s.themes) <= 3 for s in found)


def test_accepting_a_proposal_codes_its_points(world):
    consultation = import_consultation(world.region, labelled=points()[:20], with_themes=False)
    db.session.commit()
    candidates = services.proposals(db.session, consultation, max_themes=4)
    first = candidates[0]

    theme = services.accept_proposal(db.session, consultation=consultation, key="eerste", label="Eerste thema",
                                     refs=first.points, actor=world.user("policy_officer"))
    db.session.commit()

    coded = db.session.scalars(select(Point.ref).where(Point.theme_id == theme.id)).all()
    assert sorted(coded) == sorted(first.points)
    remaining = [ref for c in services.proposals(db.session, consultation, max_themes=4) for ref in c.points]
    assert sorted(remaining) == sorted(set(p.ref for p in points()[:20]) - set(first.points))


def test_a_meetings_questions_become_points(world):
    consultation = import_consultation(world.region, labelled=points()[:2])
    meeting = Meeting(consultation_id=consultation.id, title="Informatieavond raadsleden", audience=Audience.GEMEENTERAAD,
                      attendees=30, held_at=consultation.closes_at)
    meeting.questions.extend([MeetingQuestion(position=1, question="Hoe lang zijn de wachtlijsten?"),
                              MeetingQuestion(position=2, question="Wat kost het nieuwe kader?")])
    db.session.add(meeting)
    db.session.commit()

    response = services.meeting_points(db.session, meeting=meeting, actor=world.user("policy_officer"))
    db.session.commit()

    made = [p for a in response.answers for p in a.points]
    assert response.ref == f"m-{meeting.id}" and response.audience is Audience.GEMEENTERAAD
    assert [p.text for p in made] == ["Hoe lang zijn de wachtlijsten?", "Wat kost het nieuwe kader?"]
    assert all(services.source_of(p) == p.text for p in made)
    assert services.meeting_points(db.session, meeting=meeting, actor=None).id == response.id


def _answer(world, point, text="Wij nemen dit mee in het inkoopkader.", disposition="procurement_documents", reason=None):
    return responses.save_reaction(db.session, point=point, text=text, disposition=disposition, reason=reason,
                                   owner=None, seen_version=None, actor=world.user("policy_officer"))


def test_a_reaction_is_reviewed_by_a_second_person_before_it_is_final(world):
    consultation = import_consultation(world.region, labelled=points()[:2])
    db.session.commit()
    point = db.session.scalars(select(Point).where(Point.consultation_id == consultation.id)).first()
    _answer(world, point)
    db.session.commit()

    with pytest.raises(AnalysisError, match="second person"):
        responses.review_reaction(db.session, point=point, seen_version=None, actor=world.user("policy_officer"))
    with pytest.raises(AnalysisError, match="reviewed reaction"):
        responses.finalise_reaction(db.session, point=point, seen_version=None, actor=world.user("policy_officer"))
    responses.review_reaction(db.session, point=point, seen_version=None, actor=world.user("region_admin"))
    responses.finalise_reaction(db.session, point=point, seen_version=None, actor=world.user("policy_officer"))
    db.session.commit()

    state = db.session.get(PointReaction, point.id)
    assert state.status is ReactionStatus.FINAL and state.reviewed_by_id == world.user("region_admin").id
    assert point.reaction == "Wij nemen dit mee in het inkoopkader." and point.disposition.value == "procurement_documents"


def test_not_adopted_needs_a_reason_and_a_change_goes_back_to_draft(world):
    consultation = import_consultation(world.region, labelled=points()[:2])
    db.session.commit()
    point = db.session.scalars(select(Point).where(Point.consultation_id == consultation.id)).first()

    with pytest.raises(AnalysisError, match="why"):
        _answer(world, point, disposition="not_adopted")
    _answer(world, point, disposition="not_adopted", reason="Past niet binnen het budget.")
    responses.review_reaction(db.session, point=point, seen_version=None, actor=world.user("region_admin"))
    state = db.session.get(PointReaction, point.id)
    seen = state.version
    responses.save_reaction(db.session, point=point, text="Nieuwe tekst.", disposition="noted", reason=None, owner=None,
                            seen_version=seen, actor=world.user("policy_officer"))
    db.session.commit()
    assert state.status is ReactionStatus.DRAFT and state.reason is None and state.reviewed_by_id is None

    with pytest.raises(AnalysisError, match="Someone else changed"):
        responses.save_reaction(db.session, point=point, text="Oude kopie.", disposition="noted", reason=None, owner=None,
                                seen_version=seen, actor=world.user("region_admin"))


def test_earlier_reactions_to_similar_points_are_offered_across_consultations_of_the_region(world):
    earlier = import_consultation(world.region, labelled=points()[:2])
    later = import_consultation(world.region, labelled=points()[:2])
    db.session.commit()
    old = db.session.scalars(select(Point).where(Point.consultation_id == earlier.id).order_by(Point.id)).first()
    _answer(world, old, text="De regio maakt afspraken over een maximale wachttijd.")
    db.session.commit()
    new = db.session.scalars(select(Point).where(Point.consultation_id == later.id).order_by(Point.id)).first()

    found = responses.similar_reactions(db.session, point=new)

    assert found and found[0].point_id == old.id
    assert found[0].reaction == "De regio maakt afspraken over een maximale wachttijd."


def test_the_reactienota_refuses_to_become_final_while_a_point_is_open(world):
    consultation = import_consultation(world.region, labelled=points()[:3])
    db.session.commit()
    all_points = db.session.scalars(select(Point).where(Point.consultation_id == consultation.id).order_by(Point.id)).all()
    for point in all_points[:2]:
        _answer(world, point)
        responses.review_reaction(db.session, point=point, seen_version=None, actor=world.user("region_admin"))
        responses.finalise_reaction(db.session, point=point, seen_version=None, actor=world.user("policy_officer"))
    _answer(world, all_points[2])
    db.session.commit()

    with pytest.raises(AnalysisError, match="1 point"):
        memo.finalise_memo(db.session, consultation=consultation, actor=world.user("policy_officer"))
    assert memo.report_of(db.session, consultation) is None or memo.report_of(db.session, consultation).memo_final_at is None

    responses.review_reaction(db.session, point=all_points[2], seen_version=None, actor=world.user("region_admin"))
    responses.finalise_reaction(db.session, point=all_points[2], seen_version=None, actor=world.user("policy_officer"))
    report = memo.finalise_memo(db.session, consultation=consultation, actor=world.user("policy_officer"))
    db.session.commit()
    assert report.memo_final_at is not None
    with pytest.raises(AnalysisError, match="final"):
        _answer(world, all_points[0], text="Nog een wijziging.")


def test_the_reactienota_renders_as_html_pdf_and_docx_grouped_by_audience_and_theme(world):
    consultation = import_consultation(world.region, labelled=points()[:6], coded_every=1)
    db.session.commit()
    point = db.session.scalars(select(Point).where(Point.consultation_id == consultation.id)).first()
    _answer(world, point, text="Wij leggen een maximale wachttijd vast.")
    db.session.commit()

    groups = memo.memo(db.session, consultation)
    html = memo.render_html(consultation, groups, final=False)
    pdf = memo.render_pdf(html)
    docx = memo.render_docx(consultation, groups, final=False)

    assert [g.audience.value for g in groups] == sorted({p.audience for p in points()[:6]},
                                                        key=[a.value for a in Audience].index)
    assert "Wij leggen een maximale wachttijd vast." in html and "<th scope=\"col\">" in html
    assert pdf.startswith(b"%PDF")
    from docx import Document
    import io
    document = Document(io.BytesIO(docx))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert "Wij leggen een maximale wachttijd vast." in cells


def test_summary_numbers_match_the_answers(world):
    consultation = import_consultation(world.region, labelled=points()[:40], coded_every=1)
    db.session.commit()

    document = summaries.summary_document(db.session, consultation)

    answers = db.session.execute(select(Response.audience, Answer.choice).join(Answer)
                                 .where(Response.consultation_id == consultation.id, Answer.choice.is_not(None))).all()
    q1 = document["questions"][0]
    for audience, choice in set(answers):
        assert q1["counts"][audience.value][choice] == sum(1 for a, c in answers if (a, c) == (audience, choice))
    assert sum(q1["total"].values()) == len(answers)
    rows = {row["theme"]: row for row in document["themes"]["rows"]}
    for p in points()[:40]:
        assert rows[p.theme]["points"][p.audience] >= 1
    assert sum(sum(row["points"].values()) for row in rows.values()) == 40
    wachttijden = rows["wachttijden"]
    expected = {p.audience for p in points()[:40] if p.theme == "wachttijden"}
    assert {a for a, n in wachttijden["points"].items() if n} == expected
    assert wachttijden["raised_by_all"] == (expected == set(document["themes"]["audiences"]))


def test_a_multiple_choice_answer_counts_each_option(world):
    from consultations.analysis.summaries import distributions
    from consultations.models import Question, QuestionKind

    consultation = import_consultation(world.region, labelled=points()[:2])
    question = Question(consultation_id=consultation.id, key="q9", position=9, text="Welke?", kind=QuestionKind.MULTIPLE,
                        options=["a", "b", "c"])
    db.session.add(question)
    db.session.flush()
    reactions = db.session.scalars(select(Response).where(Response.consultation_id == consultation.id)).all()
    db.session.add(Answer(response_id=reactions[0].id, question_id=question.id, choice="a\nb"))
    db.session.commit()

    found = next(d for d in distributions(db.session, consultation) if d.question.key == "q9")
    assert found.total("a") == 1 and found.total("b") == 1 and found.total("c") == 0


def test_quotes_only_come_from_reactions_that_may_be_quoted_and_are_masked(world):
    consultation = import_consultation(world.region, labelled=points()[:4], coded_every=1)
    db.session.commit()
    assert summaries.quotes(db.session, consultation) == []

    consultation.publish_reactions = True
    point = db.session.scalars(select(Point).where(Point.consultation_id == consultation.id)).first()
    point.text = point.text + " Bel 06-12345678."
    db.session.commit()
    found = summaries.quotes(db.session, consultation)
    assert found and all("06-12345678" not in q.text for q in found)


def test_quotes_follow_a_change_of_coding_after_they_were_chosen(world):
    consultation = import_consultation(world.region, labelled=points()[:4], coded_every=1)
    consultation.publish_reactions = True
    db.session.commit()
    before = summaries.quotes(db.session, consultation)
    assert before

    # Every point moves to a theme that had no quote: the quotes must follow, not be remembered.
    other = next(t for t in consultation.themes if t.id not in {q.theme.id for q in before})
    coded = db.session.scalars(select(Point).where(Point.consultation_id == consultation.id)).all()
    for point in coded:
        point.theme_id = other.id
    db.session.commit()
    after = summaries.quotes(db.session, consultation)

    assert [q.theme.id for q in after] == [other.id]
    assert after[0].text in {p.text for p in coded}


def test_one_respondents_feedback_shows_only_their_points(world):
    consultation = import_consultation(world.region, labelled=points()[:6], coded_every=1)
    db.session.commit()
    reactions = db.session.scalars(select(Response).where(Response.consultation_id == consultation.id).order_by(Response.id)).all()
    mine, other = reactions[0], reactions[1]
    for point in db.session.scalars(select(Point).where(Point.consultation_id == consultation.id)):
        _answer(world, point, text=f"Reactie op {point.ref}")
        responses.review_reaction(db.session, point=point, seen_version=None, actor=world.user("region_admin"))
        responses.finalise_reaction(db.session, point=point, seen_version=None, actor=world.user("policy_officer"))
    db.session.commit()

    own = feedback.items(db.session, mine)

    my_points = [p.text for a in mine.answers for p in a.points]
    other_points = [p.text for a in other.answers for p in a.points]
    assert [i.point for i in own] == my_points
    assert not set(other_points) & {i.point for i in own}
    assert all(i.reaction.startswith("Reactie op p-") for i in own)


def test_feedback_e_mails_go_to_respondents_with_an_address(world):
    from tests.conftest import outbox

    consultation = import_consultation(world.region, labelled=points()[:4], coded_every=1)
    reactions = db.session.scalars(select(Response).where(Response.consultation_id == consultation.id).order_by(Response.id)).all()
    reactions[0].email = "inwoner@example.org"
    db.session.commit()

    sent = feedback.send_feedback(db.session, consultation=consultation, actor=world.user("policy_officer"))
    db.session.commit()

    assert sent == 1
    (message,) = outbox()
    assert message.recipient == "inwoner@example.org"
    assert reactions[0].answers[1].points[0].text in message.body


def test_the_archive_export_carries_themes_points_reactions_and_dispositions(world):
    consultation = import_consultation(world.region, labelled=points()[:4], coded_every=1)
    db.session.commit()
    point = db.session.scalars(select(Point).where(Point.consultation_id == consultation.id).order_by(Point.id)).first()
    _answer(world, point, text="Wij passen de tekst aan.", disposition="text_changed")
    db.session.commit()

    exported = json.loads(archive.export_archive(db.session, consultation))
    exported_points = [p for r in exported["responses"] for a in r["answers"] for p in a.get("points", [])]

    assert {t["key"] for t in exported["themes"]} >= {"wachttijden", "kwaliteit"}
    assert exported_points[0] == {"ref": point.ref, "text": point.text, "theme": point.theme.key,
                                  "reaction": "Wij passen de tekst aan.", "disposition": "text_changed"}
    again = archive.import_archive(db.session, archive.export_archive(db.session, consultation), region=world.region)
    assert json.loads(archive.export_archive(db.session, again)) == exported


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["consultations", *args])


def test_the_command_line_suggests_proposes_and_summarises(app, world):
    consultation = import_consultation(world.region, labelled=points()[:30], coded_every=3)
    db.session.commit()

    suggested = json.loads(_run(app, "suggest-themes", str(consultation.id), "--json").output)
    proposed = json.loads(_run(app, "propose-themes", str(consultation.id), "--max-themes", "4", "--json").output)
    summary = json.loads(_run(app, "summary", str(consultation.id), "--json").output)

    uncoded = [p.ref for i, p in enumerate(points()[:30]) if i % 3 != 0]
    assert sorted(s["point"] for s in suggested) == sorted(uncoded)
    assert all(0 < len(s["suggestions"]) <= 3 and set(s["suggestions"][0]) == {"theme", "score"} for s in suggested)
    assert sorted(ref for c in proposed for ref in c["points"]) == sorted(uncoded)
    assert len(proposed) <= 4 and all(c["representative"] in c["points"] and c["keywords"] for c in proposed)
    assert summary["questions"][0]["question"] == "q1"
    assert sum(summary["questions"][0]["total"].values()) == db.session.scalar(
        select(func.count(Response.id)).where(Response.consultation_id == consultation.id))
    assert _run(app, "summary", "999999", "--json").exit_code != 0


def test_quotes_are_chosen_once_while_the_coding_stays_the_same(world, monkeypatch):
    consultation = import_consultation(world.region, labelled=points()[:4], coded_every=1)
    consultation.publish_reactions = True
    db.session.commit()
    summaries._CHOSEN.clear()  # an earlier test may have chosen from the same ids and texts
    fitted = []
    real = summaries.Features
    monkeypatch.setattr(summaries, "Features", lambda texts: fitted.append(len(texts)) or real(texts))
    first = summaries.quotes(db.session, consultation)
    assert summaries.quotes(db.session, consultation) == first
    assert len(fitted) == 1
