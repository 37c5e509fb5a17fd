"""A provider declares its governance and WNT for a year; bad input is refused with a clear
message and nothing is lost; no provider ever sees another's declaration."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from portal.extensions import db
from portal.governance import services, wnt
from portal.models import AuditEvent, LegalForm, WntStatement
from portal.models.governance import DeclarationStatus, GovernanceDeclaration
from tests.conftest import find, sign_in_as
from tests.factories import ProviderFactory, member
from tests.governance.helpers import filled_declaration, statement_values


def english(client):
    with client.session_transaction() as s:
        s["locale"] = "en"


def test_a_provider_fills_in_and_submits_a_declaration_through_the_pages(client, world):
    user = world.user("provider_admin")
    sign_in_as(client, user)
    response = client.post("/governance", data={"year": "2024"})
    assert response.status_code == 302
    declaration = db.session.scalar(select(GovernanceDeclaration))
    url = f"/governance/{declaration.id}"
    assert response.headers["Location"].endswith(url)

    form = {f"applied_{n}": "yes" for n in range(1, 8)} | {
        "applied_4": "no", "explanation_4": "", "management_supervision_separated": "yes", "has_client_council": "no",
        "client_council_note": "Klantpanel", "revenue": "2000000", "result": "100000", "profit_distributed": "0",
        "points_knowledge": "2", "points_tasks": "2", "points_funding": "3", "points_turnover": "2",
        "class_reasoning": "Besluit RvT 12-1-2024", "version": str(declaration.version)}
    # A principle not applied without explanation is refused; what was typed stays.
    refused = client.post(f"{url}/bewerken", data=form)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert 'href="#explanation_4"' in page and "Besluit RvT 12-1-2024" in page
    assert find(GovernanceDeclaration, declaration.id).revenue is None

    form["explanation_4"] = "Wij hebben een eenhoofdig bestuur met een adviesraad."
    assert client.post(f"{url}/bewerken", data=form).status_code == 302
    saved = find(GovernanceDeclaration, declaration.id)
    assert saved.wnt_class.value == "III" and saved.margin == Decimal("0.05")
    assert len(saved.principles) == 7

    assert client.post(f"{url}/toezicht", data={"supervisor-name": "C. Voorzitter", "supervisor-role": "chair",
                                               "supervisor-start_date": "2022-01-01", "supervisor-term_end": "2025-12-31",
                                               "supervisor-reappointments": "1"}).status_code == 302
    assert client.post(f"{url}/groep", data={"entity-entity_name": "Holding BV", "entity-kind": "parent",
                                            "entity-kvk_number": "1234567", "entity-ownership_percent": "100"}).status_code == 422
    assert client.post(f"{url}/groep", data={"entity-entity_name": "Holding BV", "entity-kind": "parent",
                                            "entity-kvk_number": "12345678", "entity-ownership_percent": "100"}).status_code == 302
    assert client.post(f"{url}/transacties", data={"transaction-counterparty": "Vastgoed BV", "transaction-transaction_kind": "real_estate",
                                                  "transaction-amount": "60000", "transaction-arms_length": "Taxatie."}).status_code == 302
    assert client.post(f"{url}/wnt", data={
        "statement-official_name": "A. Bestuurder", "statement-position": "Bestuurder", "statement-function": "executive",
        "statement-start_date": "2024-01-01", "statement-end_date": "2024-12-31", "statement-part_time_factor": "0.8",
        "statement-employed": "yes", "statement-pay": "140000", "statement-deferred_pay": "12000"}).status_code == 302

    english(client)
    page = client.get(url).get_data(as_text=True)
    assert "152,000" in page and "Within the norm" in page
    assert client.post(f"{url}/indienen", data={"version": str(find(GovernanceDeclaration, declaration.id).version)}).status_code == 302
    submitted = find(GovernanceDeclaration, declaration.id)
    assert submitted.status is DeclarationStatus.SUBMITTED and submitted.submitted_by_id == user.id
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"governance.started", "governance.saved", "governance.wnt_statement_added", "governance.submitted"} <= actions
    # Submitted is frozen.
    assert client.post(f"{url}/toezicht", data={}).status_code == 302
    assert len(find(GovernanceDeclaration, declaration.id).supervisors) == 1


def test_pay_above_the_norm_needs_an_explanation(app, world):
    user = world.user("provider_admin")
    declaration = filled_declaration(world.provider, user, 2024, submit=False)
    too_much = statement_values(2024, name="B. Duur", pay=Decimal("180000"), deferred_pay=Decimal("20000"))
    with force_locale("en"), pytest.raises(services.InvalidInput) as refused:
        services.add_statement(db.session, declaration=declaration, values=too_much, actor=user)
    assert "10000" in refused.value.errors["explanation"] and "190000" in refused.value.errors["explanation"]
    statement = services.add_statement(db.session, declaration=declaration, actor=user,
                                       values={**too_much, "explanation": "Wordt teruggevorderd.", "being_recovered": True})
    check = wnt.check_statement(statement, year=2024, wnt_class=declaration.wnt_class, legal_form=LegalForm.STICHTING,
                                table=wnt.maxima_table(db.session))
    assert check.outcome is wnt.Outcome.EXCEEDED and check.above == Decimal("10000") and check.maximum == 190000


def test_a_statement_through_the_page_above_the_norm_is_refused_and_kept(client, world):
    user = world.user("provider_admin")
    declaration = filled_declaration(world.provider, user, 2024, submit=False)
    sign_in_as(client, user)
    response = client.post(f"/governance/{declaration.id}/wnt", data={
        "statement-official_name": "B. Duur", "statement-position": "Bestuurder", "statement-function": "executive",
        "statement-start_date": "2024-01-01", "statement-end_date": "2024-12-31", "statement-part_time_factor": "1",
        "statement-employed": "yes", "statement-pay": "250000", "statement-deferred_pay": "0"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'href="#statement-explanation"' in page and 'value="B. Duur"' in page
    assert len(find(GovernanceDeclaration, declaration.id).statements) == 1


def test_a_year_not_in_the_maxima_table_cannot_be_checked(app, world):
    user = world.user("provider_admin")
    declaration = filled_declaration(world.provider, user, 2022, statements=[statement_values(2022, pay=Decimal("900000"))])
    rows = services.matrix(db.session, region_id=world.region.id, years=[2022])
    assert rows == []  # the provider has not applied in the region
    check = wnt.check_statement(declaration.statements[0], year=2022, wnt_class=declaration.wnt_class,
                                legal_form=LegalForm.STICHTING, table=wnt.maxima_table(db.session))
    assert check.outcome is wnt.Outcome.CANNOT_BE_CHECKED


def test_the_wnt_does_not_apply_to_a_sole_trader(client, world):
    sole = ProviderFactory(legal_form=LegalForm.EENMANSZAAK, name="Zzp Jeugdhulp")
    user = member(__import__("portal.models", fromlist=["Role"]).Role.PROVIDER_ADMIN, sole)
    declaration = filled_declaration(sole, user, 2024)
    assert declaration.status is DeclarationStatus.SUBMITTED and declaration.statements == []
    sign_in_as(client, user)
    page = client.get(f"/governance/{declaration.id}").get_data(as_text=True)
    assert 'id="wnt-not-applicable"' in page and 'id="wnt-table"' not in page
    assert "statement-pay" not in page


def test_a_csv_import_with_a_bad_row_imports_nothing_and_names_the_line(client, world):
    user = world.user("provider_admin")
    declaration = filled_declaration(world.provider, user, 2024, submit=False, statements=[])
    content = (
        "name;position;function;start_date;end_date;part_time_factor;employed;pay;deferred_pay;being_recovered;explanation\n"
        "A. Een;Bestuurder;executive;2024-01-01;2024-12-31;0,8;ja;140000;12000;nee;\n"
        "B. Twee;Bestuurder;executive;2024-01-01;2024-13-31;1;ja;100000;0;nee;\n"
        "C. Drie;Voorzitter RvT;supervisory_chair;2024-01-01;2024-12-31;1;nee;40000;0;nee;\n"
        "D. Vier;Lid RvT;lid;2024-01-01;2024-12-31;1;nee;veel;0;nee;\n"
    ).encode()
    with force_locale("en"), pytest.raises(services.ImportFailed) as failed:
        services.import_statements(db.session, declaration=declaration, content=content, actor=user)
    errors = {e.line: e.reason for e in failed.value.errors}
    assert set(errors) == {3, 4, 5}
    assert "end_date" in errors[3] and "above the maximum" in errors[4] and "pay" in errors[5]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(WntStatement)) == 0

    sign_in_as(client, user)
    english(client)
    import io

    response = client.post(f"/governance/{declaration.id}/wnt-import",
                           data={"import-file": (io.BytesIO(content), "wnt.csv")}, content_type="multipart/form-data")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Line 3:" in page and "Line 4:" in page and "Line 5:" in page
    assert db.session.scalar(select(func.count()).select_from(WntStatement)) == 0

    good = b"name,position,start_date,end_date,pay\nA. Een,Bestuurder,2024-01-01,2024-12-31,140000\n" \
           b"E. Vijf,Bestuurder,01-07-2024,31-12-2024,60000\n"
    response = client.post(f"/governance/{declaration.id}/wnt-import",
                           data={"import-file": (io.BytesIO(good), "wnt.csv")}, content_type="multipart/form-data")
    assert response.status_code == 302
    assert [s.name for s in find(GovernanceDeclaration, declaration.id).statements] == ["A. Een", "E. Vijf"]


def test_a_csv_with_unknown_columns_is_refused_on_line_1(app, world):
    user = world.user("provider_admin")
    declaration = filled_declaration(world.provider, user, 2024, submit=False, statements=[])
    with pytest.raises(services.ImportFailed) as failed:
        services.import_statements(db.session, declaration=declaration, content=b"naam,salaris\nA,1\n", actor=user)
    assert [e.line for e in failed.value.errors] == [1]


def test_a_provider_never_sees_another_providers_declaration(client, world):
    theirs = filled_declaration(world.other_provider, world.other_provider.memberships[0].user, 2024)
    sign_in_as(client, world.user("provider_admin"))
    assert client.get(f"/governance/{theirs.id}").status_code == 404
    assert client.post(f"/governance/{theirs.id}/toezicht", data={}).status_code == 404
    assert client.get(f"/governance/{theirs.id}/bewerken").status_code == 404
    assert "Aanbieder Twee" not in client.get("/governance").get_data(as_text=True)


def test_two_people_saving_at_once_do_not_overwrite_each_other(client, world):
    user = world.user("provider_admin")
    declaration = filled_declaration(world.provider, user, 2024, submit=False)
    seen = declaration.version
    services.add_supervisor(db.session, declaration=declaration, name="X", role="member", start_date=date(2023, 1, 1),
                            term_end=date(2027, 1, 1), reappointments=0, actor=user)
    db.session.commit()
    sign_in_as(client, user)
    response = client.post(f"/governance/{declaration.id}/bewerken", data={"revenue": "1", "version": str(seen)})
    assert response.status_code == 422
    assert find(GovernanceDeclaration, declaration.id).revenue == Decimal("1000000")


def test_a_second_start_of_the_same_year_opens_the_first(app, world):
    user = world.user("provider_admin")
    first = services.start_declaration(db.session, provider=world.provider, year=2024, actor=user)
    assert services.start_declaration(db.session, provider=world.provider, year=2024, actor=user).id == first.id
