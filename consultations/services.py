"""Rules for consultations: set-up, reactions of every audience, formal views, meetings, counts.

Every function takes the session, flushes but never commits, and raises ``ConsultationError``
(or a subclass) with a message that can be shown to the person. Moments are UTC; functions that
depend on the clock take ``now`` so that tests and batch jobs can name the moment.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from consultations.models import (
    AGREEMENT_CHOICES,
    SCALE_CHOICES,
    Answer,
    Audience,
    Consultation,
    ConsultationAudience,
    ConsultationDocument,
    ConsultationMunicipality,
    ConsultationPhase,
    FollowUpStatus,
    FormalView,
    FormalViewStatus,
    Meeting,
    MeetingQuestion,
    PersonalInvitation,
    Question,
    QuestionKind,
    Response,
    ResponseStatus,
    as_utc,
)
from portal.audit.services import record
from portal.auth.services import hash_token
from portal.models import (
    PROVIDER_ROLES,
    Body,
    BodyKind,
    Municipality,
    Provider,
    Region,
    Role,
    User,
)

#: The time zone people read and enter moments in.
LOCAL_ZONE = ZoneInfo("Europe/Amsterdam")
#: Keys of questions and themes: short, stable, safe in CSV headers and JSON paths.
KEY_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}")
#: What an anonymous reaction shows instead of a name.
ANONYMOUS_LABEL = "Anoniem"

#: The audience a body reacts as.
AUDIENCE_OF_BODY = {
    BodyKind.GEMEENTERAAD: Audience.GEMEENTERAAD,
    BodyKind.ADVIESRAAD: Audience.ADVIESRAAD,
    BodyKind.CLIENTENRAAD: Audience.CLIENTENRAAD,
    BodyKind.ERVARINGSDESKUNDIGENPANEL: Audience.ERVARINGSDESKUNDIGE,
}


class ConsultationError(Exception):
    """A rule about consultations was broken; the message can be shown to the person."""


class ConsultationNotOpen(ConsultationError):
    """The consultation is not open: not yet, or no longer."""


class AlreadyReceived(ConsultationError):
    """The same public form was sent before (a double click or a retry): the first one is kept."""


class ReactionConflict(ConsultationError):
    """Someone else saved the reaction after this person opened it; their input must be kept."""


@dataclass(frozen=True)
class AnswerInput:
    """What a person entered for one question: a choice (a list for multiple choice) and/or text."""

    choice: str | list[str] | None = None
    text: str | None = None


def now_utc() -> datetime:
    """Return the current moment in UTC."""
    return datetime.now(UTC)


def local_label(moment: datetime) -> str:
    """Show a moment as people in the Netherlands read it, e.g. "15-09-2024 17:00"."""
    return as_utc(moment).astimezone(LOCAL_ZONE).strftime("%d-%m-%Y %H:%M")


# Setting up ----------------------------------------------------------------------------------


def _checked_details(*, region_id: int, title: str, opens_at: datetime, closes_at: datetime,
                     audiences: Iterable, municipalities: Iterable[Municipality], residents_may_react: bool):
    """Check a consultation's details as created or changed; return the title, audiences and
    municipalities cleaned (stripped, without repeats)."""
    title = title.strip()
    if not title:
        raise ConsultationError(_("Give the consultation a title."))
    if opens_at.tzinfo is None or closes_at.tzinfo is None:
        raise ConsultationError(_("Opening and closing moments need a time zone."))
    if closes_at <= opens_at:
        raise ConsultationError(_("The consultation must close after it opens."))
    audiences = list(dict.fromkeys(Audience(a) for a in audiences))
    if not audiences:
        raise ConsultationError(_("Invite at least one audience."))
    if residents_may_react and Audience.INWONER not in audiences:
        raise ConsultationError(_("Invite residents as an audience before opening a public link."))
    municipalities = list(dict.fromkeys(municipalities))
    for municipality in municipalities:
        if municipality.region_id != region_id:
            raise ConsultationError(
                _("%(name)s is not a municipality of this region.", name=municipality.name)
            )
    return title, audiences, municipalities


def create_consultation(
    session: Session,
    *,
    region: Region,
    title: str,
    summary: str,
    opens_at: datetime,
    closes_at: datetime,
    audiences: Iterable[Audience],
    municipalities: Iterable[Municipality] = (),
    publish_reactions: bool = False,
    names_need_consent: bool = True,
    residents_may_react: bool = False,
    actor: User | None,
) -> Consultation:
    """Create a consultation as a draft that only staff see."""
    title, audiences, municipalities = _checked_details(
        region_id=region.id, title=title, opens_at=opens_at, closes_at=closes_at, audiences=audiences,
        municipalities=municipalities, residents_may_react=residents_may_react,
    )
    consultation = Consultation(
        region=region,
        title=title,
        summary=summary.strip(),
        opens_at=opens_at.astimezone(UTC),
        closes_at=closes_at.astimezone(UTC),
        publish_reactions=publish_reactions,
        names_need_consent=names_need_consent,
        residents_may_react=residents_may_react,
        created_by=actor,
        audiences=[ConsultationAudience(audience=a) for a in audiences],
        municipalities=[ConsultationMunicipality(municipality=m) for m in municipalities],
    )
    session.add(consultation)
    session.flush()
    record(session, action="consultation.created", obj=consultation, actor=actor, organisation=region,
           changes={"title": [None, title], "audiences": [None, [a.value for a in audiences]],
                    "opens_at": [None, consultation.opens_at.isoformat()],
                    "closes_at": [None, consultation.closes_at.isoformat()]})
    return consultation


def publish_consultation(session: Session, *, consultation: Consultation, actor: User | None, now: datetime | None = None) -> None:
    """Publish a draft consultation; it opens and closes at its moments from then on."""
    if consultation.published_at is not None:
        raise ConsultationError(_("This consultation is already published."))
    if not consultation.questions:
        raise ConsultationError(_("Add at least one question before publishing."))
    consultation.published_at = now or now_utc()
    record(session, action="consultation.published", obj=consultation, actor=actor,
           organisation=consultation.region)
    session.flush()


def add_document(session: Session, *, consultation: Consultation, title: str, version: str,
                 file_key: str | None = None, actor: User | None) -> ConsultationDocument:
    """Attach a version of a draft document to the consultation."""
    if any(d.title == title.strip() and d.version == version.strip() for d in consultation.documents):
        raise ConsultationError(_("This version of the document is already attached."))
    document = ConsultationDocument(consultation=consultation, title=title.strip(), version=version.strip(), file_key=file_key)
    session.add(document)
    session.flush()
    record(session, action="consultation.document_added", obj=document, actor=actor,
           organisation=consultation.region, changes={"version": [None, document.version]})
    return document


def check_question(*, key: str, text: str, kind: QuestionKind, options: Iterable[str]) -> list[str]:
    """Check a question's key, text and options; return the cleaned options."""
    if not KEY_PATTERN.fullmatch(key):
        raise ConsultationError(
            _("A question key is 1 to 40 letters, digits, '.', '_' or '-', starting with a letter or digit.")
        )
    if not text.strip():
        raise ConsultationError(_("The question has no text."))
    options = [option.strip() for option in options]
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        if len(options) < 2:
            raise ConsultationError(_("A choice question needs at least two options."))
        if len(set(options)) != len(options) or any(not option or "\n" in option for option in options):
            raise ConsultationError(_("Options must be different, non-empty and on one line."))
    elif options:
        raise ConsultationError(_("Only single and multiple choice questions have options."))
    return options


def add_question(
    session: Session,
    *,
    consultation: Consultation,
    key: str,
    text: str,
    kind: QuestionKind,
    options: Iterable[str] = (),
    plain_text: str | None = None,
    actor: User | None,
) -> Question:
    """Add a question at the end of the consultation's form."""
    kind = QuestionKind(kind)
    options = check_question(key=key, text=text, kind=kind, options=options)
    if any(q.key == key for q in consultation.questions):
        raise ConsultationError(_("The key %(key)s is already used in this consultation.", key=key))
    if consultation.phase(now_utc()) in (ConsultationPhase.OPEN, ConsultationPhase.CLOSED):
        raise ConsultationError(_("Questions cannot be added once the consultation has opened."))
    question = Question(
        consultation=consultation,
        key=key,
        position=len(consultation.questions) + 1,
        text=text.strip(),
        plain_text=(plain_text or "").strip() or None,
        kind=kind,
        options=options,
    )
    session.add(question)
    session.flush()
    record(session, action="consultation.question_added", obj=question, actor=actor,
           object_label=f"{consultation.title}: {key}", organisation=consultation.region,
           changes={"kind": [None, kind.value]})
    return question


# Answers -------------------------------------------------------------------------------------


def normalise_choice(question: Question, choice: str | list[str] | None) -> str | None:
    """Return the stored form of a choice for this question, or raise ConsultationError."""
    if choice is None or choice == "" or choice == []:
        return None
    kind = question.kind
    if kind is QuestionKind.OPEN:
        raise ConsultationError(_("An open question takes text, not a choice."))
    if kind is QuestionKind.MULTIPLE:
        chosen = [choice] if isinstance(choice, str) else list(choice)
        if not all(isinstance(c, str) for c in chosen):
            raise ConsultationError(_("Choices must be text."))
        unknown = [c for c in chosen if c not in question.options]
        if unknown:
            raise ConsultationError(_('"%(choice)s" is not an option of this question.', choice=unknown[0]))
        if len(set(chosen)) != len(chosen):
            raise ConsultationError(_("An option is chosen twice."))
        return "\n".join(option for option in question.options if option in chosen)
    if not isinstance(choice, str):
        raise ConsultationError(_("This question takes one choice."))
    allowed = {
        QuestionKind.AGREEMENT: AGREEMENT_CHOICES,
        QuestionKind.SCALE: SCALE_CHOICES,
        QuestionKind.SINGLE: tuple(question.options),
    }[kind]
    if choice not in allowed:
        raise ConsultationError(
            _('"%(choice)s" is not a valid answer; choose one of: %(allowed)s.',
              choice=choice, allowed=", ".join(allowed))
        )
    return choice


def _apply_answers(session: Session, response: Response, consultation: Consultation,
                   answers: Mapping[str, AnswerInput]) -> list[str]:
    """Write the given answers onto the reaction; return the keys that changed."""
    by_key = {q.key: q for q in consultation.questions}
    existing = {a.question_id: a for a in response.answers}
    changed = []
    for key, given in answers.items():
        question = by_key.get(key)
        if question is None:
            raise ConsultationError(_("This consultation has no question %(key)s.", key=key))
        choice = normalise_choice(question, given.choice)
        text = given.text if given.text and given.text.strip() else None
        answer = existing.get(question.id)
        if choice is None and text is None:
            if answer is not None:
                response.answers.remove(answer)
                changed.append(key)
            continue
        if answer is None:
            response.answers.append(Answer(question=question, choice=choice, text=text))
            changed.append(key)
        elif (answer.choice, answer.text) != (choice, text):
            answer.choice, answer.text = choice, text
            changed.append(key)
    return changed


def _require_open(consultation: Consultation, now: datetime, *, doing: str) -> None:
    phase = consultation.phase(now)
    if phase is ConsultationPhase.OPEN:
        return
    if phase is ConsultationPhase.CLOSED:
        raise ConsultationNotOpen(
            _("This consultation closed on %(moment)s; reactions can no longer be %(doing)s.",
              moment=local_label(consultation.closes_at), doing=doing)
        )
    if phase is ConsultationPhase.SCHEDULED:
        raise ConsultationNotOpen(
            _("This consultation opens on %(moment)s.", moment=local_label(consultation.opens_at))
        )
    raise ConsultationNotOpen(_("This consultation has not been published."))


def _require_audience(consultation: Consultation, audience: Audience) -> None:
    if audience not in consultation.audience_set:
        raise ConsultationError(_("This consultation does not ask %(audience)s to react.", audience=audience.value))


def next_ref(session: Session, consultation: Consultation, prefix: str = "r-") -> str:
    """Return the next free reaction reference of the consultation ("r-1", "r-2", ...)."""
    taken = set(session.scalars(select(Response.ref).where(Response.consultation_id == consultation.id)))
    number = len(taken) + 1
    while f"{prefix}{number}" in taken:
        number += 1
    return f"{prefix}{number}"


def _flush_reaction(session: Session) -> None:
    """Flush, turning a concurrent save or a concurrently started reaction into a conflict."""
    try:
        session.flush()
    except StaleDataError as error:
        raise ReactionConflict(
            _("Someone else saved this reaction at the same moment. Your text is kept below; "
              "check their changes and save again.")
        ) from error
    except IntegrityError as error:
        raise ReactionConflict(
            _("Someone else started this reaction at the same moment. Your text is kept below; "
              "open the reaction again and add it.")
        ) from error


def _check_version(response: Response, seen_version: int | None) -> None:
    if seen_version is not None and response.version != seen_version:
        who = response.updated_by.name if response.updated_by else _("someone else")
        raise ReactionConflict(
            _("%(who)s saved this reaction while you were editing. Your text is kept below; "
              "check their changes and save again.", who=who)
        )


def _save_draft(
    session: Session,
    *,
    response: Response | None,
    new: dict,
    consultation: Consultation,
    answers: Mapping[str, AnswerInput],
    seen_version: int | None,
    actor: User | None,
    now: datetime,
    audit_organisation,
) -> Response:
    """Create or update a draft reaction with optimistic locking."""
    _require_open(consultation, now, doing=_("changed"))
    if response is None:
        if seen_version is not None:
            # The person edited a reaction that has since been withdrawn (and maybe restarted).
            raise ReactionConflict(_("This reaction was withdrawn while you were editing. Your text is kept below."))
        response = Response(consultation=consultation, ref=next_ref(session, consultation),
                            created_by=actor, updated_by=actor, status=ResponseStatus.DRAFT, **new)
        session.add(response)
        changed = _apply_answers(session, response, consultation, answers)
        _flush_reaction(session)
        record(session, action="consultation_response.draft_started", obj=response, actor=actor,
               organisation=audit_organisation, region_id=consultation.region_id,
               changes={"answers": [None, changed]})
        return response
    _check_version(response, seen_version)
    if response.status is not ResponseStatus.DRAFT:
        raise ConsultationError(_("This reaction was already submitted; withdraw it to change it."))
    changed = _apply_answers(session, response, consultation, answers)
    for field, value in new.items():
        if getattr(response, field) != value:
            setattr(response, field, value)
            changed.append(field)
    # Always touch the reaction row: its version rises even when only answers changed, so a
    # concurrent save of the same version fails instead of silently overwriting.
    response.updated_by = actor
    response.updated_at = func.now()
    _flush_reaction(session)
    record(session, action="consultation_response.draft_saved", obj=response, actor=actor,
           organisation=audit_organisation, region_id=consultation.region_id,
           changes={"answers": [None, changed]})
    return response


def _submit(session: Session, *, response: Response, seen_version: int | None, actor: User | None,
            now: datetime, audit_organisation) -> Response:
    _require_open(response.consultation, now, doing=_("submitted"))
    _check_version(response, seen_version)
    if response.status is not ResponseStatus.DRAFT:
        raise ConsultationError(_("This reaction was already submitted."))
    if not response.answers:
        raise ConsultationError(_("Answer at least one question before submitting."))
    response.status = ResponseStatus.SUBMITTED
    response.submitted_at = now
    response.submitted_by = actor
    _flush_reaction(session)
    record(session, action="consultation_response.submitted", obj=response, actor=actor,
           organisation=audit_organisation, region_id=response.consultation.region_id,
           changes={"status": ["draft", "submitted"]})
    return response


def withdraw_reaction(session: Session, *, response: Response, actor: User | None,
                      reason: str | None = None, now: datetime | None = None) -> None:
    """Withdraw a reaction (draft or submitted) before the close; it stays on record as withdrawn."""
    now = now or now_utc()
    _require_open(response.consultation, now, doing=_("withdrawn"))
    if actor is not None:
        _require_sender(response, actor)
    if response.status is ResponseStatus.WITHDRAWN:
        raise ConsultationError(_("This reaction was already withdrawn."))
    old = response.status
    response.status = ResponseStatus.WITHDRAWN
    response.withdrawn_at = now
    _flush_reaction(session)
    record(session, action="consultation_response.withdrawn", obj=response, actor=actor,
           organisation=response.body or response.provider, region_id=response.consultation.region_id,
           changes={"status": [old.value, "withdrawn"]}, reason=reason)


# Bodies: councils, advisory boards, client councils, panels --------------------------------------


def _is_member(actor: User, organisation_id: int, roles: Iterable[Role]) -> bool:
    roles = set(roles)
    return any(m.organisation_id == organisation_id and m.role in roles for m in actor.memberships)


def _require_sender(response: Response, actor: User) -> None:
    if response.body_id is not None and not _is_member(actor, response.body_id, {Role.BODY_MEMBER}):
        raise ConsultationError(_("Only members of %(body)s can change its reaction.", body=response.body.name))
    if response.provider_id is not None and not _is_member(actor, response.provider_id, PROVIDER_ROLES):
        raise ConsultationError(_("Only staff of %(provider)s can change its reaction.", provider=response.provider.name))


def body_audience(consultation: Consultation, body: Body) -> Audience:
    """Return the audience the body reacts as, or refuse when it is not asked to react."""
    audience = AUDIENCE_OF_BODY.get(body.body_kind)
    if audience is None or body.owning_region_id != consultation.region_id:
        raise ConsultationError(_("%(body)s is not asked to react to this consultation.", body=body.name))
    _require_audience(consultation, audience)
    return audience


def current_reaction(session: Session, *, consultation: Consultation, body: Body | None = None,
                     provider: Provider | None = None, invitation: PersonalInvitation | None = None) -> Response | None:
    """Return the living (not withdrawn) reaction of a body, provider or invitation, if any."""
    statement = select(Response).where(Response.consultation_id == consultation.id,
                                       Response.status != ResponseStatus.WITHDRAWN)
    if body is not None:
        statement = statement.where(Response.body_id == body.id)
    elif provider is not None:
        statement = statement.where(Response.provider_id == provider.id)
    elif invitation is not None:
        statement = statement.where(Response.invitation_id == invitation.id)
    else:
        raise ValueError("Name a body, provider or invitation.")
    return session.scalar(statement)


def save_body_draft(
    session: Session,
    *,
    consultation: Consultation,
    body: Body,
    actor: User,
    answers: Mapping[str, AnswerInput],
    seen_version: int | None,
    publish_name: bool = True,
    now: datetime | None = None,
) -> Response:
    """Save the body's draft reaction; any member may, but never over a newer save (seen_version)."""
    if not _is_member(actor, body.id, {Role.BODY_MEMBER}):
        raise ConsultationError(_("Only members of %(body)s can write its reaction.", body=body.name))
    audience = body_audience(consultation, body)
    response = current_reaction(session, consultation=consultation, body=body)
    return _save_draft(
        session, response=response, consultation=consultation, answers=answers, seen_version=seen_version,
        actor=actor, now=now or now_utc(), audit_organisation=body,
        new={"respondent": body.name, "audience": audience, "body": body,
             "municipality_id": body.municipality_id, "publish_name": publish_name},
    )


def submit_body_reaction(session: Session, *, response: Response, actor: User, seen_version: int | None,
                         now: datetime | None = None) -> Response:
    """Submit the body's reaction on its behalf; only while the consultation is open."""
    if response.body_id is None:
        raise ConsultationError(_("This is not the reaction of a body."))
    _require_sender(response, actor)
    return _submit(session, response=response, seen_version=seen_version, actor=actor,
                   now=now or now_utc(), audit_organisation=response.body)


# Providers -------------------------------------------------------------------------------------


def save_provider_draft(
    session: Session,
    *,
    consultation: Consultation,
    provider: Provider,
    actor: User,
    answers: Mapping[str, AnswerInput],
    seen_version: int | None,
    publish_name: bool = True,
    now: datetime | None = None,
) -> Response:
    """Save the provider's draft reaction (one per provider), by any of its staff."""
    if not _is_member(actor, provider.id, PROVIDER_ROLES):
        raise ConsultationError(_("Only staff of %(provider)s can write its reaction.", provider=provider.name))
    _require_audience(consultation, Audience.ZORGAANBIEDER)
    response = current_reaction(session, consultation=consultation, provider=provider)
    return _save_draft(
        session, response=response, consultation=consultation, answers=answers, seen_version=seen_version,
        actor=actor, now=now or now_utc(), audit_organisation=provider,
        new={"respondent": provider.name, "audience": Audience.ZORGAANBIEDER, "provider": provider,
             "publish_name": publish_name},
    )


def submit_provider_reaction(session: Session, *, response: Response, actor: User, seen_version: int | None,
                             now: datetime | None = None) -> Response:
    """Submit the provider's reaction; only while the consultation is open."""
    if response.provider_id is None:
        raise ConsultationError(_("This is not the reaction of a provider."))
    _require_sender(response, actor)
    return _submit(session, response=response, seen_version=seen_version, actor=actor,
                   now=now or now_utc(), audit_organisation=response.provider)


# Invited individuals (experts by experience) -----------------------------------------------------


def invite_individual(
    session: Session,
    *,
    consultation: Consultation,
    audience: Audience,
    name: str | None = None,
    email: str | None = None,
    anonymous_allowed: bool = True,
    valid_for: timedelta | None = None,
    actor: User | None,
) -> tuple[PersonalInvitation, str]:
    """Make a personal link to react without an account; return it with the token for the link."""
    audience = Audience(audience)
    _require_audience(consultation, audience)
    token = secrets.token_urlsafe(32)
    expires_at = as_utc(consultation.closes_at) if valid_for is None else now_utc() + valid_for
    invitation = PersonalInvitation(
        consultation=consultation,
        audience=audience,
        name=(name or "").strip() or None,
        email=(email or "").strip().lower() or None,
        token_hash=hash_token(token),
        anonymous_allowed=anonymous_allowed,
        expires_at=expires_at,
        created_by_id=actor.id if actor is not None else None,
    )
    session.add(invitation)
    session.flush()
    record(session, action="personal_invitation.created", obj=invitation, actor=actor,
           organisation=consultation.region, changes={"audience": [None, audience.value]})
    return invitation, token


def revoke_invitation(session: Session, *, invitation: PersonalInvitation, actor: User | None,
                      now: datetime | None = None) -> None:
    """Make a personal link stop working; reactions saved under it stay for staff."""
    if invitation.revoked_at is not None:
        raise ConsultationError(_("This link was already revoked."))
    invitation.revoked_at = now or now_utc()
    session.flush()
    record(session, action="personal_invitation.revoked", obj=invitation, actor=actor,
           organisation=invitation.consultation.region,
           changes={"revoked_at": [None, as_utc(invitation.revoked_at).isoformat()]})


def renew_invitation(session: Session, *, invitation: PersonalInvitation, actor: User | None,
                     now: datetime | None = None) -> tuple[PersonalInvitation, str]:
    """Revoke a personal link and make a new one for the same person, who continues their reaction with it."""
    if invitation.email is None:
        raise ConsultationError(_("This link has no e-mail address, so a new link cannot be sent."))
    if as_utc(invitation.consultation.closes_at) <= (now or now_utc()):
        raise ConsultationError(_("The consultation has closed; a new link would not work."))
    revoke_invitation(session, invitation=invitation, actor=actor, now=now)
    renewed, token = invite_individual(session, consultation=invitation.consultation, audience=invitation.audience,
                                       name=invitation.name, email=invitation.email,
                                       anonymous_allowed=invitation.anonymous_allowed, actor=actor)
    # Someone who lost the link keeps what they wrote: the living reaction moves to the new link.
    response = current_reaction(session, consultation=invitation.consultation, invitation=invitation)
    if response is not None:
        response.invitation = renewed
        _flush_reaction(session)
        record(session, action="consultation_response.link_renewed", obj=response, actor=actor,
               organisation=invitation.consultation.region, region_id=invitation.consultation.region_id,
               changes={"invitation_id": [invitation.id, renewed.id]})
    return renewed, token


def invitation_reactions(session: Session, consultation: Consultation) -> dict[int, Response]:
    """Return the living reaction saved under each personal link of the consultation, by invitation id."""
    return {
        response.invitation_id: response for response in session.scalars(
            select(Response).where(Response.consultation_id == consultation.id,
                                   Response.invitation_id.is_not(None),
                                   Response.status != ResponseStatus.WITHDRAWN))
    }


def find_invitation(session: Session, token: str, *, now: datetime | None = None) -> PersonalInvitation | None:
    """Return the invitation for this token while the link works, or None."""
    invitation = session.scalar(select(PersonalInvitation).where(PersonalInvitation.token_hash == hash_token(token)))
    if invitation is None or invitation.revoked_at is not None or as_utc(invitation.expires_at) <= (now or now_utc()):
        return None
    return invitation


def _valid_invitation(session: Session, token: str, now: datetime) -> PersonalInvitation:
    invitation = find_invitation(session, token, now=now)
    if invitation is None:
        raise ConsultationError(_("This link is no longer valid. Ask the region for a new one."))
    return invitation


def save_invited_draft(
    session: Session,
    *,
    token: str,
    answers: Mapping[str, AnswerInput],
    seen_version: int | None,
    anonymous: bool = False,
    name: str | None = None,
    publish_name: bool = False,
    now: datetime | None = None,
) -> Response:
    """Save the draft reaction of an invited person, without an account, optionally anonymously."""
    now = now or now_utc()
    invitation = _valid_invitation(session, token, now)
    if anonymous and not invitation.anonymous_allowed:
        raise ConsultationError(_("This invitation asks for your name."))
    if anonymous and publish_name:
        raise ConsultationError(_("An anonymous reaction cannot be published with a name."))
    label = ANONYMOUS_LABEL if anonymous else ((name or "").strip() or invitation.name)
    if not label:
        raise ConsultationError(_("Give your name, or react anonymously."))
    consultation = invitation.consultation
    response = current_reaction(session, consultation=consultation, invitation=invitation)
    return _save_draft(
        session, response=response, consultation=consultation, answers=answers, seen_version=seen_version,
        actor=None, now=now, audit_organisation=consultation.region,
        new={"respondent": label, "audience": invitation.audience, "invitation": invitation,
             "anonymous": anonymous, "publish_name": publish_name},
    )


def submit_invited_reaction(session: Session, *, token: str, seen_version: int | None,
                            now: datetime | None = None) -> Response:
    """Submit the invited person's reaction; only while the consultation is open."""
    now = now or now_utc()
    invitation = _valid_invitation(session, token, now)
    response = current_reaction(session, consultation=invitation.consultation, invitation=invitation)
    if response is None:
        raise ConsultationError(_("There is no reaction to submit yet."))
    return _submit(session, response=response, seen_version=seen_version, actor=None, now=now,
                   audit_organisation=invitation.consultation.region)


def withdraw_invited_reaction(session: Session, *, token: str, now: datetime | None = None) -> Response:
    """Withdraw the invited person's reaction before the close."""
    now = now or now_utc()
    invitation = _valid_invitation(session, token, now)
    response = current_reaction(session, consultation=invitation.consultation, invitation=invitation)
    if response is None:
        raise ConsultationError(_("There is no reaction to withdraw."))
    withdraw_reaction(session, response=response, actor=None, now=now)
    return response


# Residents -------------------------------------------------------------------------------------


def submit_resident_reaction(
    session: Session,
    *,
    consultation: Consultation,
    answers: Mapping[str, AnswerInput],
    name: str | None = None,
    email: str | None = None,
    municipality: Municipality | None = None,
    anonymous: bool = False,
    publish_name: bool = False,
    submission_key: str | None = None,
    now: datetime | None = None,
) -> Response:
    """Take a resident's reaction through the public link, when the consultation allows it; a form
    with the same ``submission_key`` is taken once (AlreadyReceived for the repeat)."""
    now = now or now_utc()
    if not consultation.residents_may_react:
        raise ConsultationError(_("This consultation does not take reactions from residents."))
    _require_audience(consultation, Audience.INWONER)
    _require_open(consultation, now, doing=_("submitted"))
    label = _resident_label(consultation, name=name, municipality=municipality, anonymous=anonymous,
                            publish_name=publish_name)
    submission_key = (submission_key or "").strip() or None
    already = AlreadyReceived(_("We had already received this reaction. Thank you!"))
    if submission_key is not None and session.scalar(select(Response.id).where(
            Response.consultation_id == consultation.id, Response.submission_key == submission_key)):
        raise already
    response = Response(
        consultation=consultation, ref=next_ref(session, consultation), respondent=label,
        audience=Audience.INWONER, municipality=municipality, anonymous=anonymous,
        publish_name=publish_name, email=(email or "").strip().lower() or None,
        status=ResponseStatus.SUBMITTED, submitted_at=now, submission_key=submission_key,
    )
    _apply_answers(session, response, consultation, answers)
    if not response.answers:
        raise ConsultationError(_("Answer at least one question before submitting."))
    for attempt in range(3):
        try:
            # The same form sent twice at once: the unique key keeps one, and the savepoint keeps
            # the request usable to tell the other. Two residents at once may take the same
            # reference: the later one takes the next.
            with session.begin_nested():
                session.add(response)
                session.flush()
            break
        except IntegrityError:
            if submission_key is not None and session.scalar(select(Response.id).where(
                    Response.consultation_id == consultation.id, Response.submission_key == submission_key)):
                raise already from None
            if attempt == 2:
                raise
            response.ref = next_ref(session, consultation)
    record(session, action="consultation_response.submitted", obj=response, actor=None,
           organisation=consultation.region, changes={"status": [None, "submitted"]})
    return response


def _resident_label(consultation: Consultation, *, name: str | None, municipality: Municipality | None,
                    anonymous: bool, publish_name: bool) -> str:
    """Check a resident's details; return the name the reaction shows."""
    if anonymous and publish_name:
        raise ConsultationError(_("An anonymous reaction cannot be published with a name."))
    label = ANONYMOUS_LABEL if anonymous else (name or "").strip()
    if not label:
        raise ConsultationError(_("Give your name, or react anonymously."))
    if municipality is not None and municipality.region_id != consultation.region_id:
        raise ConsultationError(_("%(name)s is not a municipality of this region.", name=municipality.name))
    return label


def issue_private_link(session: Session, *, response: Response) -> str:
    """Give a resident's reaction a private link to read, change or withdraw it; return the token.

    Only the token's hash is kept, as for personal invitations, so the link can be shown once and
    mailed, but never shown again. A new link replaces the old one.
    """
    if response.audience is not Audience.INWONER or response.invitation_id is not None:
        raise ConsultationError(_("Only a resident's reaction gets a private link."))
    token = secrets.token_urlsafe(32)
    response.private_link_hash = hash_token(token)
    session.flush()
    return token


def find_private_reaction(session: Session, token: str) -> Response | None:
    """Return the resident's reaction of a private link (also after the close), or None."""
    return session.scalar(select(Response).where(Response.private_link_hash == hash_token(token)))


def change_resident_reaction(
    session: Session,
    *,
    response: Response,
    answers: Mapping[str, AnswerInput],
    seen_version: int | None,
    name: str | None = None,
    email: str | None = None,
    municipality: Municipality | None = None,
    anonymous: bool = False,
    publish_name: bool = False,
    now: datetime | None = None,
) -> Response:
    """Change a resident's submitted reaction through their private link; it stays submitted."""
    now = now or now_utc()
    consultation = response.consultation
    _require_open(consultation, now, doing=_("changed"))
    if response.status is not ResponseStatus.SUBMITTED:
        raise ConsultationError(_("This reaction was withdrawn; it can no longer be changed."))
    _check_version(response, seen_version)
    label = _resident_label(consultation, name=name, municipality=municipality, anonymous=anonymous,
                            publish_name=publish_name)
    changed = _apply_answers(session, response, consultation, answers)
    if not response.answers:
        raise ConsultationError(_("Answer at least one question, or withdraw your reaction."))
    details = {"respondent": label, "anonymous": anonymous, "publish_name": publish_name,
               "email": (email or "").strip().lower() or None,
               "municipality_id": municipality.id if municipality is not None else None}
    for field, value in details.items():
        if getattr(response, field) != value:
            setattr(response, field, value)
            changed.append(field)
    response.updated_at = func.now()
    _flush_reaction(session)
    record(session, action="consultation_response.changed", obj=response, actor=None,
           organisation=consultation.region, region_id=consultation.region_id,
           changes={"answers": [None, changed]})
    return response


# Formal views (zienswijzen) --------------------------------------------------------------------


def expect_formal_view(session: Session, *, consultation: Consultation, body: Body, deadline: datetime,
                       actor: User | None) -> FormalView:
    """Ask a council for its formal view by a deadline."""
    if body.body_kind is not BodyKind.GEMEENTERAAD:
        raise ConsultationError(_("Only a municipal council gives a formal view."))
    if body.owning_region_id != consultation.region_id:
        raise ConsultationError(_("%(body)s is not a council of this region.", body=body.name))
    if deadline.tzinfo is None:
        raise ConsultationError(_("The deadline needs a time zone."))
    exists = session.scalar(select(FormalView.id).where(FormalView.consultation_id == consultation.id,
                                                        FormalView.body_id == body.id))
    if exists is not None:
        raise ConsultationError(_("A formal view of %(body)s is already expected.", body=body.name))
    view = FormalView(consultation=consultation, body=body, deadline=deadline.astimezone(UTC))
    session.add(view)
    session.flush()
    record(session, action="formal_view.expected", obj=view, actor=actor, organisation=consultation.region,
           changes={"deadline": [None, view.deadline.isoformat()]})
    return view


def record_formal_view(session: Session, *, view: FormalView, received_at: datetime, summary: str | None = None,
                       letter_key: str | None = None, actor: User | None) -> FormalView:
    """Record that the council's formal view arrived (a view after the deadline shows as late)."""
    if view.received_at is not None:
        raise ConsultationError(_("The formal view of %(body)s was already recorded.", body=view.body.name))
    if received_at.tzinfo is None:
        raise ConsultationError(_("The moment of receipt needs a time zone."))
    view.received_at = received_at.astimezone(UTC)
    view.summary = (summary or "").strip() or None
    view.letter_key = letter_key
    session.flush()
    record(session, action="formal_view.received", obj=view, actor=actor, organisation=view.consultation.region,
           changes={"received_at": [None, view.received_at.isoformat()],
                    "status": [None, view.status(view.received_at).value]})
    return view


def formal_views(session: Session, consultation: Consultation) -> list[FormalView]:
    """Return the consultation's formal views by deadline, then council name."""
    return list(session.scalars(
        select(FormalView).join(FormalView.body).where(FormalView.consultation_id == consultation.id)
        .order_by(FormalView.deadline, Body.name)
    ))


def councils_to_remind(session: Session, *, consultation: Consultation, within: timedelta,
                       now: datetime | None = None) -> list[FormalView]:
    """List the councils that have not responded and whose deadline falls within the coming period."""
    now = now or now_utc()
    return [
        view for view in formal_views(session, consultation)
        if view.received_at is None and now < as_utc(view.deadline) <= now + within
    ]


def note_reminder(session: Session, *, view: FormalView, actor: User | None, now: datetime | None = None) -> None:
    """Note that a council was reminded of its deadline."""
    view.reminded_at = now or now_utc()
    session.flush()
    record(session, action="formal_view.reminded", obj=view, actor=actor, organisation=view.consultation.region)


def formal_view_overview(session: Session, consultation: Consultation,
                         now: datetime | None = None) -> dict[FormalViewStatus, list[FormalView]]:
    """Group the formal views by status: expected, received, late."""
    now = now or now_utc()
    overview: dict[FormalViewStatus, list[FormalView]] = {status: [] for status in FormalViewStatus}
    for view in formal_views(session, consultation):
        overview[view.status(now)].append(view)
    return overview


# Meetings --------------------------------------------------------------------------------------


def record_meeting(session: Session, *, consultation: Consultation, title: str, held_at: datetime,
                   audience: Audience, attendees: int, actor: User | None) -> Meeting:
    """Record an information evening or other meeting as input of the consultation."""
    if attendees < 0:
        raise ConsultationError(_("The number of attendees cannot be negative."))
    if held_at.tzinfo is None:
        raise ConsultationError(_("The moment of the meeting needs a time zone."))
    meeting = Meeting(consultation=consultation, title=title.strip(), held_at=held_at.astimezone(UTC),
                      audience=Audience(audience), attendees=attendees,
                      recorded_by_id=actor.id if actor is not None else None)
    session.add(meeting)
    session.flush()
    record(session, action="meeting.recorded", obj=meeting, actor=actor,
           organisation=consultation.region, changes={"attendees": [None, attendees]})
    return meeting


def add_meeting_question(session: Session, *, meeting: Meeting, question: str, answer: str | None = None,
                         follow_up: str | None = None, follow_up_owner: str | None = None,
                         actor: User | None) -> MeetingQuestion:
    """Add a question asked at the meeting, the answer given and any follow-up promised."""
    if not question.strip():
        raise ConsultationError(_("The question has no text."))
    follow_up = (follow_up or "").strip() or None
    entry = MeetingQuestion(
        meeting=meeting, position=len(meeting.questions) + 1, question=question.strip(),
        answer=(answer or "").strip() or None, follow_up=follow_up,
        follow_up_owner=(follow_up_owner or "").strip() or None if follow_up else None,
        follow_up_status=FollowUpStatus.OPEN if follow_up else None,
    )
    session.add(entry)
    session.flush()
    record(session, action="meeting.question_added", obj=entry, actor=actor,
           object_label=f"{meeting.title}: {entry.position}", organisation=meeting.consultation.region)
    return entry


def complete_follow_up(session: Session, *, entry: MeetingQuestion, actor: User | None) -> None:
    """Mark the follow-up of a meeting question as done."""
    if entry.follow_up is None:
        raise ConsultationError(_("This question has no follow-up."))
    if entry.follow_up_status is FollowUpStatus.DONE:
        raise ConsultationError(_("This follow-up is already done."))
    entry.follow_up_status = FollowUpStatus.DONE
    session.flush()
    record(session, action="meeting.follow_up_done", obj=entry, actor=actor,
           object_label=f"{entry.meeting.title}: {entry.position}", organisation=entry.meeting.consultation.region,
           changes={"follow_up_status": ["open", "done"]})


# Counts ----------------------------------------------------------------------------------------


def counts_per_audience(session: Session, consultation: Consultation) -> dict[Audience, dict[str, int]]:
    """Count per invited audience the submitted reactions, open drafts and meeting questions."""
    counts = {audience: {"submitted": 0, "drafts": 0, "meeting_questions": 0}
              for audience in sorted(consultation.audience_set, key=list(Audience).index)}
    rows = session.execute(
        select(Response.audience, Response.status, func.count(Response.id))
        .where(Response.consultation_id == consultation.id, Response.status != ResponseStatus.WITHDRAWN)
        .group_by(Response.audience, Response.status)
    )
    for audience, status, number in rows:
        entry = counts.setdefault(audience, {"submitted": 0, "drafts": 0, "meeting_questions": 0})
        entry["submitted" if status is ResponseStatus.SUBMITTED else "drafts"] += number
    rows = session.execute(
        select(Meeting.audience, func.count(MeetingQuestion.id))
        .join(MeetingQuestion.meeting).where(Meeting.consultation_id == consultation.id)
        .group_by(Meeting.audience)
    )
    for audience, number in rows:
        counts.setdefault(audience, {"submitted": 0, "drafts": 0, "meeting_questions": 0})["meeting_questions"] += number
    return counts


def bodies_without_reaction(session: Session, consultation: Consultation) -> list[Body]:
    """Return the region's invited bodies that have not submitted a reaction, by name."""
    from portal.organisations.services import bodies_of

    invited = consultation.audience_set
    reacted = set(session.scalars(
        select(Response.body_id).where(Response.consultation_id == consultation.id,
                                       Response.status == ResponseStatus.SUBMITTED,
                                       Response.body_id.is_not(None))
    ))
    participating = {m.municipality_id for m in consultation.municipalities}
    return sorted(
        (body for body in bodies_of(session, consultation.region_id)
         if AUDIENCE_OF_BODY.get(body.body_kind) in invited and body.id not in reacted
         and (not participating or body.municipality_id is None or body.municipality_id in participating)),
        key=lambda body: body.name,
    )


# Changing a consultation and reopening a reaction (used by the web pages) ------------------------


def consultation_fingerprint(consultation: Consultation) -> str:
    """Return a short digest of the editable details, so a form can tell whether they changed meanwhile."""
    parts = [
        consultation.title, consultation.summary, as_utc(consultation.opens_at).isoformat(),
        as_utc(consultation.closes_at).isoformat(), str(consultation.publish_reactions),
        str(consultation.names_need_consent), str(consultation.residents_may_react),
        ",".join(sorted(a.value for a in consultation.audience_set)),
        ",".join(sorted(str(m.municipality_id) for m in consultation.municipalities)),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def update_consultation(
    session: Session,
    *,
    consultation: Consultation,
    seen_fingerprint: str | None,
    title: str,
    summary: str,
    opens_at: datetime,
    closes_at: datetime,
    audiences: Iterable[Audience],
    municipalities: Iterable[Municipality] = (),
    publish_reactions: bool = False,
    names_need_consent: bool = True,
    residents_may_react: bool = False,
    actor: User | None,
) -> Consultation:
    """Change the details of a consultation that has not opened yet, never over a colleague's change."""
    if consultation.phase(now_utc()) in (ConsultationPhase.OPEN, ConsultationPhase.CLOSED):
        raise ConsultationError(_("A consultation cannot be changed once it has opened."))
    if seen_fingerprint is not None and seen_fingerprint != consultation_fingerprint(consultation):
        raise ConsultationError(
            _("Someone else changed this consultation while you were editing. Your text is kept below; "
              "check their changes and save again.")
        )
    title, audiences, municipalities = _checked_details(
        region_id=consultation.region_id, title=title, opens_at=opens_at, closes_at=closes_at,
        audiences=audiences, municipalities=municipalities, residents_may_react=residents_may_react,
    )
    before = {"title": consultation.title, "opens_at": as_utc(consultation.opens_at).isoformat(),
              "closes_at": as_utc(consultation.closes_at).isoformat(),
              "audiences": sorted(a.value for a in consultation.audience_set)}
    consultation.title = title
    consultation.summary = summary.strip()
    consultation.opens_at = opens_at.astimezone(UTC)
    consultation.closes_at = closes_at.astimezone(UTC)
    consultation.publish_reactions = publish_reactions
    consultation.names_need_consent = names_need_consent
    consultation.residents_may_react = residents_may_react
    wanted = set(audiences)
    for entry in list(consultation.audiences):
        if entry.audience not in wanted:
            consultation.audiences.remove(entry)
    for audience in audiences:
        if audience not in consultation.audience_set:
            consultation.audiences.append(ConsultationAudience(audience=audience))
    wanted_ids = {m.id for m in municipalities}
    for entry in list(consultation.municipalities):
        if entry.municipality_id not in wanted_ids:
            consultation.municipalities.remove(entry)
    present = {entry.municipality_id for entry in consultation.municipalities}
    for municipality in municipalities:
        if municipality.id not in present:
            consultation.municipalities.append(ConsultationMunicipality(municipality=municipality))
    session.flush()
    after = {"title": title, "opens_at": as_utc(consultation.opens_at).isoformat(),
             "closes_at": as_utc(consultation.closes_at).isoformat(),
             "audiences": sorted(a.value for a in audiences)}
    record(session, action="consultation.changed", obj=consultation, actor=actor, organisation=consultation.region,
           changes={key: [before[key], after[key]] for key in before if before[key] != after[key]})
    return consultation


def reopen_reaction(session: Session, *, response: Response, actor: User | None,
                    now: datetime | None = None) -> Response:
    """Turn a submitted reaction back into a draft before the close, so it can be changed and submitted again."""
    now = now or now_utc()
    _require_open(response.consultation, now, doing=_("changed"))
    if actor is not None:
        _require_sender(response, actor)
    if response.status is not ResponseStatus.SUBMITTED:
        raise ConsultationError(_("Only a submitted reaction can be opened again."))
    response.status = ResponseStatus.DRAFT
    response.updated_by = actor
    _flush_reaction(session)
    record(session, action="consultation_response.reopened", obj=response, actor=actor,
           organisation=response.body or response.provider or response.consultation.region,
           region_id=response.consultation.region_id, changes={"status": ["submitted", "draft"]})
    return response


def members_of(session: Session, bodies: Iterable[Body]) -> dict[int, list[User]]:
    """Return the active members of each body, by body id, in one query."""
    from portal.models import Membership

    ids = [body.id for body in bodies]
    result: dict[int, list[User]] = {body_id: [] for body_id in ids}
    if not ids:
        return result
    rows = session.execute(
        select(Membership.organisation_id, User).join(Membership.user)
        .where(Membership.organisation_id.in_(ids), Membership.role == Role.BODY_MEMBER, User.active.is_(True))
        .order_by(User.name)
    )
    for body_id, user in rows:
        result[body_id].append(user)
    return result


def analysis_ready(session: Session, consultation: Consultation, now: datetime | None = None) -> bool:
    """Tell whether there is input to analyse: a submitted reaction, or the consultation has closed."""
    if consultation.phase(now or now_utc()) is ConsultationPhase.CLOSED:
        return True
    return session.scalar(
        select(Response.id).where(Response.consultation_id == consultation.id,
                                  Response.status == ResponseStatus.SUBMITTED).limit(1)
    ) is not None


def consultations_of(session: Session, region_id: int) -> list[tuple[Consultation, int]]:
    """Return the region's consultations, latest closing first, each with its number of submitted reactions."""
    submitted = (
        select(Response.consultation_id, func.count(Response.id).label("number"))
        .where(Response.status == ResponseStatus.SUBMITTED).group_by(Response.consultation_id).subquery()
    )
    return [
        (consultation, number) for consultation, number in session.execute(
            select(Consultation, func.coalesce(submitted.c.number, 0))
            .outerjoin(submitted, submitted.c.consultation_id == Consultation.id)
            .where(Consultation.region_id == region_id).order_by(Consultation.closes_at.desc())
        )
    ]
