"""The Open House and consultation data of the benchmark region (issue #8's key pages).

bench/run.py calls ``add_portal_data`` after it has created the region, its municipalities and
providers. This module adds, through the portal's own services (the same paths the demo seed
takes, see portal/demo/), so that every row is one the application itself could have written:

- Open House rounds with product groups, entry windows and evidence requirements; each provider
  applies to as many rounds as needed to reach the size's number of applications; the
  applications are spread over every state (draft, submitted, in review, completion requested,
  decided), so the screening queue is long and the decided ones are admitted into the register;
  every provider's evidence is uploaded once into its vault and reused, as providers do;
- closed consultations with reactions of residents, experts by experience and providers, their
  open answers split into points, a codebook of themes and most points coded.

Deterministic (the same size gives the same rows, apart from timestamps) and clearly fictional.
Sizes follow issue #8: L has 500 applications and 20 consultations with 5,000 points.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

#: Reviewers screening the applications (two: decisions need a second pair of eyes), and the
#: buyer who publishes the rounds. They sign in with the runner's password.
REVIEWER = "beoordelaar@bench.example.org"
SECOND_REVIEWER = "beoordelaar2@bench.example.org"
BUYER = "inkoper@bench.example.org"
#: The consultation whose summary the runner measures: the first one made, in a fresh database.
SUMMARY_CONSULTATION_ID = 1
SUMMARY_PATH = f"/analyse/consultaties/{SUMMARY_CONSULTATION_ID}/samenvatting"


@dataclass(frozen=True)
class PortalSize:
    """How much Open House and consultation data a benchmark size holds."""

    applications: int
    consultations: int
    #: Points over all consultations together.
    points: int


PORTAL_SIZES = {
    "S": PortalSize(applications=25, consultations=2, points=250),
    "M": PortalSize(applications=150, consultations=6, points=1_500),
    "L": PortalSize(applications=500, consultations=20, points=5_000),
}

#: States of the applications, repeated in this order: most wait in the screening queue, a
#: third are decided and admitted, a few are still drafts.
STATE_CYCLE = ("submitted", "decided", "in_review", "submitted", "completion_requested", "decided", "in_review",
               "submitted", "decided", "draft")
#: Product group choices, repeated in this order.
GROUP_CYCLE = (("BGI",), ("BEH", "BGI"), ("BGG",), ("VBL",), ("BGI", "BGG"), ("CRI",), ("BEH",), ("RSP", "BGI"))

#: Themes of every consultation's codebook: (key, label, words of the points coded with it).
THEMES = [
    ("wachttijden", "Wachttijden", "De wachttijd voor jeugd-GGZ is te lang, zeker in de kleine kernen."),
    ("dichtbij", "Hulp dichtbij huis", "Hulp moet dichtbij huis blijven, ook voor gezinnen zonder auto."),
    ("administratie", "Minder administratie", "Aanbieders verliezen te veel tijd aan verantwoording en formulieren."),
    ("jongeren", "Stem van jongeren", "Vraag jongeren zelf wat zij nodig hebben, in gewone taal."),
    ("tarieven", "Tarieven", "De tarieven voor begeleiding groep dekken de kosten niet meer."),
    ("samenwerking", "Samenwerking", "Laat school, huisarts en wijkteam beter samenwerken rond een gezin."),
]
#: Openings of the points, so their texts differ.
OPENINGS = ["Let op:", "Belangrijk:", "Mijn ervaring:", "Graag aandacht voor dit punt:", "Wij zien dat", "Ik merk dat"]
#: Every how-manieth point stays uncoded (the analysis is never quite finished).
UNCODED_EVERY = 4


def add_portal_data(session: Session, *, region, providers: list, password_hash: str, size: str) -> dict[str, float]:
    """Add the rounds, applications, admissions and consultations of a size; flush; return seconds per part."""
    plan = PORTAL_SIZES[size]
    people = _accounts(session, region, providers, password_hash)
    seconds = {}
    began = time.perf_counter()
    _applications(session, region, providers, people, plan.applications)
    seconds["applications"] = time.perf_counter() - began
    began = time.perf_counter()
    _consultations(session, region, providers, people, plan)
    seconds["consultations"] = time.perf_counter() - began
    print(f"portal data ({size}): {plan.applications} applications in {seconds['applications']:.1f} s, "
          f"{plan.consultations} consultations with {plan.points:,} points in {seconds['consultations']:.1f} s",
          flush=True)
    return seconds


# Accounts ----------------------------------------------------------------------------------------


def _accounts(session: Session, region, providers: list, password_hash: str) -> dict:
    """Create the staff accounts and an administrator for every provider without one."""
    from portal.models import Membership, Role, User

    def account(email: str, name: str, organisation, role: Role) -> User:
        user = User(email=email, name=name, password_hash=password_hash)
        session.add_all([user, Membership(user=user, organisation=organisation, role=role)])
        return user

    people = {
        "reviewer": account(REVIEWER, "Beoordelaar (fictief)", region, Role.REVIEWER),
        "second": account(SECOND_REVIEWER, "Tweede beoordelaar (fictief)", region, Role.REVIEWER),
        "buyer": account(BUYER, "Inkoper (fictief)", region, Role.BUYER),
        "officer": session.scalar(select(User).join(Membership.user).where(
            Membership.organisation_id == region.id, Membership.role == Role.POLICY_OFFICER)),
    }
    session.flush()
    with_admin = set(session.scalars(select(Membership.organisation_id).where(Membership.role == Role.PROVIDER_ADMIN)))
    admins = {}
    for number, provider in enumerate(providers, start=1):
        if provider.id in with_admin:
            admins[provider.id] = session.scalar(select(User).join(Membership.user).where(
                Membership.organisation_id == provider.id, Membership.role == Role.PROVIDER_ADMIN))
        else:
            admins[provider.id] = account(f"beheer{number:03d}@bench.example.org", f"Beheerder {number:03d} (fictief)",
                                          provider, Role.PROVIDER_ADMIN)
    session.flush()
    people["admins"] = admins
    return people


# Open House ------------------------------------------------------------------------------------


def _applications(session: Session, region, providers: list, people: dict, count: int) -> None:
    """Publish enough rounds for ``count`` applications and take each through its state."""
    from portal.demo.applications import _build as build_application
    from portal.demo.rounds import _build as build_round
    from portal.rounds import services as rounds

    session.refresh(region)  # the round builder reads the region's municipalities
    round_count = -(-count // len(providers))
    published = []
    for number in range(round_count):
        round = build_round(session, region, people["buyer"],
                            f"Open House Jeugdhulp Benchmarkregio {2027 + number} (fictief)", complete=True)
        rounds.publish(session, round=round, seen_version=None, actor=people["buyer"])
        published.append(round)
    for index in range(count):
        round, provider = published[index // len(providers)], providers[index % len(providers)]
        state = STATE_CYCLE[index % len(STATE_CYCLE)]
        groups = GROUP_CYCLE[index % len(GROUP_CYCLE)]
        # Submitted between 1 and 13 days ago: the entry window opened 14 days ago.
        build_application(session, round, provider, people["admins"][provider.id], state, groups, 1 + index % 13,
                          people["reviewer"], people["second"])
    session.flush()


# Consultations -----------------------------------------------------------------------------------


def _point_texts(number: int, points: int) -> str:
    """Write an open answer that the splitter turns into exactly ``points`` points."""
    lines = []
    for offset in range(points):
        serial = number * 7 + offset
        _key, _label, words = THEMES[serial % len(THEMES)]
        lines.append(f"- {OPENINGS[serial % len(OPENINGS)]} {words[0].lower()}{words[1:]} (punt {number}.{offset + 1})")
    return "Mijn punten:\n" + "\n".join(lines)


def _reactions_plan(points: int) -> list[int]:
    """Split a consultation's points over reactions of 1 to 4 points each."""
    plan, left, serial = [], points, 0
    while left > 0:
        take = min(left, 1 + serial % 4)
        plan.append(take)
        left -= take
        serial += 1
    return plan


def _consultations(session: Session, region, providers: list, people: dict, plan: PortalSize) -> None:
    """Create closed consultations with reactions, points, a codebook and coded points."""
    from consultations import services
    from consultations.analysis import services as analysis
    from consultations.models import AGREEMENT_CHOICES, Audience, Point
    from consultations.services import AnswerInput
    from portal.clock import now
    from portal.demo.consultations import QUESTIONS, SUMMARY

    officer = people["officer"]
    moment = now()
    opens, closes = moment - timedelta(days=90), moment - timedelta(days=30)
    during = opens + timedelta(days=20)
    per_consultation = [plan.points // plan.consultations + (1 if n < plan.points % plan.consultations else 0)
                        for n in range(plan.consultations)]
    for number, points in enumerate(per_consultation, start=1):
        consultation = services.create_consultation(
            session, region=region, title=f"Benchmarkconsultatie {number:02d}: inkoopkader jeugdhulp (fictief)",
            summary=SUMMARY, opens_at=opens, closes_at=closes, audiences=list(Audience),
            municipalities=region.municipalities, publish_reactions=True, residents_may_react=True, actor=officer,
        )
        if number == 1 and consultation.id != SUMMARY_CONSULTATION_ID:
            raise SystemExit(f"the first consultation got id {consultation.id}: start from an empty database")
        for key, text, kind, plain in QUESTIONS:
            services.add_question(session, consultation=consultation, key=key, text=text, kind=kind, plain_text=plain,
                                  actor=officer)
        services.publish_consultation(session, consultation=consultation, actor=officer, now=opens)
        for serial, count in enumerate(_reactions_plan(points)):
            answers = {"q1": AnswerInput(choice=AGREEMENT_CHOICES[serial % 4]),
                       "q2": AnswerInput(choice=AGREEMENT_CHOICES[(serial // 2) % 4]),
                       "q3": AnswerInput(text=_point_texts(serial, count))}
            _react(session, services, consultation, providers, people, serial, answers, during)
        analysis.split_all(session, consultation=consultation, actor=officer)
        themes = [analysis.add_theme(session, consultation=consultation, key=key, label=label, description=words,
                                     actor=officer) for key, label, words in THEMES]
        for position, point in enumerate(session.scalars(select(Point).where(
                Point.consultation_id == consultation.id).order_by(Point.id))):
            if position % UNCODED_EVERY == UNCODED_EVERY - 1:
                continue
            theme = next((t for t, (_k, _l, words) in zip(themes, THEMES, strict=True) if words[1:] in point.text),
                         themes[0])
            analysis.code_point(session, point=point, theme=theme, seen_version=None, actor=officer)
        session.flush()


def _react(session: Session, services, consultation, providers: list, people: dict, serial: int, answers: dict,
           during) -> None:
    """Submit one reaction: mostly residents, every fifth an expert by experience, every seventh a provider."""
    from consultations.models import Audience

    if serial % 7 == 3 and serial // 7 < len(providers):
        provider = providers[serial // 7]
        actor = people["admins"][provider.id]
        draft = services.save_provider_draft(session, consultation=consultation, provider=provider, actor=actor,
                                             answers=answers, seen_version=None, now=during)
        services.submit_provider_reaction(session, response=draft, actor=actor, seen_version=None, now=during)
    elif serial % 5 == 2:
        _invitation, token = services.invite_individual(
            session, consultation=consultation, audience=Audience.ERVARINGSDESKUNDIGE,
            name=f"Jongere {serial} (jongerenpanel, fictief)", actor=people["officer"],
        )
        services.save_invited_draft(session, token=token, answers=answers, seen_version=None, anonymous=serial % 2 == 0,
                                    name=None, now=during)
        services.submit_invited_reaction(session, token=token, seen_version=None, now=during)
    else:
        services.submit_resident_reaction(
            session, consultation=consultation, answers=answers, name=f"Inwoner {serial} (fictief)",
            municipality=consultation.municipalities[serial % len(consultation.municipalities)].municipality,
            anonymous=serial % 3 == 0, publish_name=False, now=during,
        )
