"""A closed demo consultation with its analysis under way: a dozen reactions from councils, advisory
boards, young people, a client council, providers and a resident, split into points, a small
codebook, some points coded and some answered (draft, reviewed, final).

Everything is fictional and fixed: the same names, texts and dates on every run. It goes in through
the archive import (the documented JSON format), and the reactions to points through the analysis's
own services, so the demo shows exactly what the pages make of real input.
"""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Provider, Region, User

TITLE = "Concept regiovisie jeugdhulp Demo-Veluwe 2026-2030 (fictief, gesloten)"
SUMMARY = (
    "Een verzonnen consultatie voor de demo. De regio vroeg raden, adviesraden, jongeren, aanbieders en "
    "inwoners wat zij vinden van de visie: hulp dichtbij huis, kortere wachttijden en minder regels.\n"
    "De consultatie is gesloten; de reacties worden nu verwerkt."
)
#: Fixed moments in the past, so the consultation is closed on every run.
OPENS = "2025-09-01T09:00:00+02:00"
CLOSES = "2025-10-13T17:00:00+02:00"

QUESTIONS = [
    {"key": "q1", "text": "Kunt u zich vinden in de visie?", "kind": "agreement",
     "plain_text": "Vind je de plannen goed?"},
    {"key": "q2", "text": "Welke punten wilt u ons meegeven?", "kind": "open",
     "plain_text": "Wat moeten we zeker weten of beter doen?"},
    {"key": "q3", "text": "Hoe tevreden bent u over de jeugdhulp nu? (1 = heel ontevreden, 5 = heel tevreden)",
     "kind": "scale", "plain_text": "Hoe blij ben je met de hulp nu?"},
]

#: The codebook: key, label, description.
THEMES = [
    ("wachttijden", "Wachttijden", "Hoe lang kinderen en gezinnen op hulp wachten."),
    ("dichtbij", "Hulp dichtbij huis", "Hulp in de wijk, op school en in de kleine kernen."),
    ("jongeren", "Stem van jongeren", "Hoe jongeren en ouders meepraten over hun hulp en het beleid."),
    ("regeldruk", "Regeldruk", "Administratie, verantwoording en contracten voor aanbieders."),
    ("kwaliteit", "Kwaliteit en toezicht", "Wat goede hulp is en hoe de regio dat volgt."),
]

#: The reactions: respondent, audience, municipality (or None), submitted, agreement, scale, and the
#: points of the open answer (text, theme key or None). The open answer is the points' text joined.
REACTIONS = [
    ("Gemeenteraad Heidebeek", "gemeenteraad", "Heidebeek", "2025-10-09T16:30:00+02:00", "deels eens", "3", [
        ("De raad wil dat de wachttijden voor jeugd-GGZ elk kwartaal per gemeente zichtbaar worden.", "wachttijden"),
        ("Houd de hulp in de kleine kernen overeind, ook als er minder aanbieders komen.", "dichtbij"),
    ]),
    ("Gemeenteraad Dennenrode", "gemeenteraad", "Dennenrode", "2025-10-10T11:00:00+02:00", "eens", "3", [
        ("Wij steunen de koers om hulp dichter bij school te organiseren.", "dichtbij"),
        ("Vraag de raad jaarlijks om een evaluatie van de nieuwe afspraken.", None),
    ]),
    ("Gemeenteraad Wolderveen", "gemeenteraad", "Wolderveen", "2025-10-13T15:45:00+02:00", "oneens", "2", [
        ("Minder aanbieders betekent voor gezinnen minder keuze; dat vinden wij een te groot risico.", "kwaliteit"),
        ("De wachttijden zijn nu al te lang; los dat eerst op voordat het stelsel verandert.", "wachttijden"),
        ("Leg uit wat de visie kost en wie het tekort betaalt.", None),
    ]),
    ("Adviesraad Sociaal Domein Heidebeek", "adviesraad", "Heidebeek", "2025-10-06T10:15:00+02:00", "deels eens", "3", [
        ("Betrek ouders al bij het schrijven van de contracten, niet pas achteraf.", "jongeren"),
        ("Een vaste contactpersoon per gezin voorkomt dat ouders hun verhaal steeds opnieuw vertellen.", "kwaliteit"),
    ]),
    ("Adviesraad Sociaal Domein Sprengendal", "adviesraad", "Sprengendal", "2025-10-11T09:00:00+02:00", "eens", "4", [
        ("Zorg dat de wijkteams genoeg mensen hebben om de hulp dichtbij ook echt te geven.", "dichtbij"),
    ]),
    ("Jongerenpanel Demo-Veluwe", "ervaringsdeskundige", None, "2025-10-02T19:30:00+02:00", "deels eens", "2", [
        ("Jongeren willen zelf kunnen kiezen met wie ze praten.", "jongeren"),
        ("Wachten op hulp voelt als in de steek gelaten worden.", "wachttijden"),
        ("Maak de brieven en de website begrijpelijk voor jongeren.", None),
    ]),
    ("Anoniem", "ervaringsdeskundige", None, "2025-10-04T21:10:00+02:00", "eens", "1", [
        ("Ik moest acht maanden wachten op een plek; dat mag niemand meer gebeuren.", "wachttijden"),
        ("Hulp op school was voor mij het fijnst, omdat ik dan niet hoefde te reizen.", None),
    ]),
    ("Anoniem", "ervaringsdeskundige", None, "2025-10-12T13:25:00+02:00", "geen mening", "3", [
        ("Vraag jongeren elk jaar wat er beter kan en laat zien wat je ermee doet.", "jongeren"),
    ]),
    ("Cliëntenraad Jeugd Demo-Veluwe", "clientenraad", None, "2025-10-08T14:00:00+02:00", "deels eens", "3", [
        ("Meet kwaliteit ook aan wat ouders en jongeren zelf ervaren.", "kwaliteit"),
        ("Geef gezinnen een plek om te klagen die los staat van de aanbieder.", None),
    ]),
    ("provider:0", "zorgaanbieder", None, "2025-10-07T12:00:00+02:00", "deels eens", "3", [
        ("Eén verantwoordingsformulier voor alle gemeenten scheelt ons veel uren.", "regeldruk"),
        ("Reken met tarieven die de cao-stijging volgen.", None),
    ]),
    ("provider:1", "zorgaanbieder", None, "2025-10-10T08:45:00+02:00", "oneens", "3", [
        ("Kleine aanbieders vallen af als de regio met minder partijen werkt.", "kwaliteit"),
        ("Stem de contracten af met de buurregio, zodat wij niet twee systemen bijhouden.", "regeldruk"),
    ]),
    ("Anoniem", "inwoner", "Vlinderloo", "2025-10-05T20:00:00+02:00", "eens", "4", [
        ("Als ouder wil ik weten hoe lang we moeten wachten, en waarom.", "wachttijden"),
    ]),
]

#: Reactions of the region to points (by point ref), with how far their review is.
ANSWERS = [
    ("p-1", "final", "text_changed",
     "De regio neemt dit over: de wachttijden per gemeente komen elk kwartaal in het dashboard.", None),
    ("p-6", "final", "procurement_documents",
     "In het contract komt dat aanbieders hun wachttijden elke maand melden.", None),
    ("p-2", "final", "noted",
     "De regio maakt de keuzes per kern samen met de gemeenten bekend voordat de contracten ingaan.", None),
    ("p-8", "reviewed", "text_changed",
     "De visie krijgt een paragraaf over ouders die meeschrijven aan de contracten.", None),
    ("p-11", "reviewed", "procurement_documents",
     "Jongeren kiezen hun eigen hulpverlener waar dat kan; dat staat in het contract.", None),
    ("p-19", "reviewed", "text_changed",
     "Er komt één verantwoordingsformulier voor alle gemeenten van de regio.", None),
    ("p-5", "draft", "not_adopted",
     "De regio houdt vast aan minder aanbieders per kind.",
     "Minder schakels maakt de hulp voor gezinnen overzichtelijker; de keuze binnen de aanbieder blijft."),
    ("p-16", "draft", "noted",
     "Het jongerenpanel wordt elk jaar gevraagd wat er beter kan.", None),
]


def _respondent(name: str, providers: list[Provider]) -> str:
    if name.startswith("provider:"):
        index = int(name.split(":", 1)[1])
        return providers[index].name if index < len(providers) else f"Jeugdhulpaanbieder {index + 1} (fictief)"
    return name


def archive_document(region: Region, providers: list[Provider]) -> dict:
    """Return the closed demo consultation as an archive (consultation-archive/1)."""
    municipalities = {m.name for m in region.municipalities}
    responses = []
    number = 0
    for index, (name, audience, municipality, submitted, agreement, scale, points) in enumerate(REACTIONS, start=1):
        listed = []
        for text, theme in points:
            number += 1
            point = {"ref": f"p-{number}", "text": text}
            if theme is not None:
                point["theme"] = theme
            listed.append(point)
        response = {
            "ref": f"r-{index}", "respondent": _respondent(name, providers), "audience": audience,
            "submitted": submitted,
            "answers": [{"question": "q1", "choice": agreement},
                        {"question": "q2", "text": " ".join(text for text, _ in points), "points": listed},
                        {"question": "q3", "choice": scale}],
        }
        if municipality in municipalities:
            response["municipality"] = municipality
        if name == "Anoniem":
            response["anonymous"] = True
        responses.append(response)
    return {
        "format": "consultation-archive/1",
        "consultation": {
            "title": TITLE, "summary": SUMMARY, "opens": OPENS, "closes": CLOSES,
            "audiences": ["gemeenteraad", "adviesraad", "clientenraad", "ervaringsdeskundige", "zorgaanbieder",
                          "inwoner"],
            "municipalities": sorted(municipalities),
            "questions": QUESTIONS,
        },
        "themes": [{"key": key, "label": label, "description": description} for key, label, description in THEMES],
        "responses": responses,
    }


def seed_closed_consultation(session: Session, region: Region, providers: list[Provider], writer: User | None,
                             reviewer: User | None) -> int:
    """Create the closed demo consultation with its analysis when missing; return how many were created."""
    from consultations import archive
    from consultations.analysis import responses
    from consultations.models import Consultation, Point

    if session.scalar(select(Consultation.id).where(Consultation.title == TITLE)) is not None:
        return 0
    document = archive_document(region, providers)
    consultation = archive.import_archive(session, json.dumps(document, ensure_ascii=False), region=region,
                                          actor=writer)
    if writer is None or reviewer is None:
        return 1
    points = {point.ref: point for point in session.scalars(
        select(Point).where(Point.consultation_id == consultation.id))}
    for ref, status, disposition, text, reason in ANSWERS:
        point = points[ref]
        saved = responses.save_reaction(session, point=point, text=text, disposition=disposition, reason=reason,
                                        owner=writer, seen_version=None, actor=writer)
        if status in ("reviewed", "final"):
            saved = responses.review_reaction(session, point=point, seen_version=saved.version, actor=reviewer)
        if status == "final":
            responses.finalise_reaction(session, point=point, seen_version=saved.version, actor=writer)
    session.flush()
    return 1
