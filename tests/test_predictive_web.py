"""Predictive scoring in the web app: the API and the /predictive page, by role."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from sqlalchemy import Engine, select

from silverplatter.services.history_import import import_history
from silverplatter.storage import predictive as predictive_store
from silverplatter.storage.schema import contacts
from test_ui_queue import _world as queue_world
from web_world import NOW, Clock, seed_users, signed_in, web_app

SAMPLE = Path(__file__).parent / "data" / "predictive" / "bank-sample.csv"


def _world(engine: Engine, database_url: str, tmp_path: Path) -> object:
    seed_users(engine, NOW)
    source = tmp_path / "bank.csv"
    shutil.copy(SAMPLE, source)
    import_history(engine, source, outcome_column="y", exclude=["duration"], now=NOW)
    return web_app(engine, database_url, Clock(NOW))


def test_train_activate_and_read_a_prediction_over_the_api(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    application = _world(engine, database_url, tmp_path)
    client = signed_in(application, "marketing")  # type: ignore[arg-type]
    headers = {"X-CSRF-Token": client.csrf}
    assert client.get("/api/v1/predictive/active").status_code == 404
    body = {"outcome": "won", "horizon_days": 30, "split": "stratified", "activate": True}
    trained = client.post("/api/v1/predictive/versions", json=body, headers=headers)
    assert trained.status_code == 201, trained.text
    version = trained.json()
    assert (version["id"], version["active"], version["outcome_label"]) == (
        1,
        True,
        "became a customer",
    )
    assert version["metrics"]["naive_bayes"]["roc_auc"] == 0.7768055555555556
    listed = client.get("/api/v1/predictive/versions").json()["items"]
    assert [item["id"] for item in listed] == [1]
    with engine.connect() as connection:
        contact_id = connection.execute(select(contacts.c.id).limit(1)).scalar_one()
    prediction = client.get(f"/api/v1/predictive/contacts/{contact_id}").json()
    assert prediction["model_id"] == 1 and 0 < prediction["probability"] < 1
    assert len(prediction["contributions"]) == 3
    assert client.get("/api/v1/predictive/contacts/99999").status_code == 404
    again = client.post("/api/v1/predictive/rollback", headers=headers)
    assert again.status_code == 409
    assert "nothing to roll back to" in again.json()["detail"]
    leaky = client.post(
        "/api/v1/predictive/versions",
        json={**body, "exclude": ["contact.custom.nope"]},
        headers=headers,
    )
    assert leaky.status_code == 422
    assert leaky.json()["errors"][0]["field"] == "exclude"


def test_refusal_names_the_option_and_sales_may_not_train(
    engine: Engine, database_url: str
) -> None:
    seed_users(engine, NOW)
    application = web_app(engine, database_url, Clock(NOW))
    admin = signed_in(application, "admin")
    refused = admin.post(
        "/api/v1/predictive/versions", json={"outcome": "sql"}, headers={"X-CSRF-Token": admin.csrf}
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["errors"][0]["field"] == "outcome"
    assert "no outcome history" in refused.json()["detail"]
    sales = signed_in(application, "sales")
    denied = sales.post(
        "/api/v1/predictive/versions", json={}, headers={"X-CSRF-Token": sales.csrf}
    )
    assert denied.status_code == 403
    page = sales.get("/predictive")
    assert page.status_code == 200
    assert "No predictive model has been trained yet" in page.text
    assert 'action="/predictive/train"' not in page.text


def test_the_page_shows_metrics_charts_and_baselines(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    application = _world(engine, database_url, tmp_path)
    client = signed_in(application, "marketing")  # type: ignore[arg-type]
    form = {
        "csrf_token": client.csrf,
        "outcome": "won",
        "horizon_days": "30",
        "split": "stratified",
        "cutoff": "",
        "exclude": "",
    }
    posted = client.post("/predictive/train", data=form, follow_redirects=False)
    assert posted.status_code == 303 and posted.headers["location"] == "/predictive?version=1"
    page = client.get("/predictive?version=1")
    assert page.status_code == 200
    text = page.text
    for words in ("Predictive model", "Naive Bayes per field", "Rule score (engagement)", "0.777"):
        assert words in text
    assert text.count("<svg") == 2 and 'id="predictive-reliability' in text
    assert re.search(r"<th scope=\"row\" title=\"contact.custom.\w+\">", text)
    activated = client.post("/predictive/versions/1/activate", data={"csrf_token": client.csrf})
    assert "Version 1 is active; 2,000 contacts scored." in activated.text
    with engine.connect() as connection:
        contact_id = connection.execute(select(contacts.c.id).limit(1)).scalar_one()
    contact = client.get(f"/contacts/{contact_id}").text
    assert "<dt>Probability</dt>" in contact
    reasons = re.search(r'<ul id="prediction-reasons">(.*?)</ul>', contact, re.S)
    assert reasons is not None and reasons.group(1).count("<li>") == 3
    listed = client.get("/api/v1/contacts", params={"limit": 2}).json()["items"]
    assert all(0 < item["probability"] < 1 for item in listed)
    one = client.get(f"/api/v1/contacts/{contact_id}").json()
    assert (
        one["probability"]
        == client.get(f"/api/v1/predictive/contacts/{contact_id}").json()["probability"]
    )
    bad = client.post("/predictive/train", data={**form, "cutoff": "soon"})
    assert bad.status_code == 422
    assert "cutoff: expected a date such as 2026-01-31" in bad.text


def test_the_queue_card_shows_the_stored_probability(engine: Engine, database_url: str) -> None:
    application, ids = queue_world(engine, database_url)
    with engine.begin() as connection:
        version = predictive_store.insert_version(
            connection,
            outcome="won",
            horizon_days=90,
            cutoff=NOW,
            algorithm="lightgbm",
            parameters={},
            features=[],
            metrics={},
            model=b"{}",
            created_at=NOW,
        )
        predictive_store.write_predictions(connection, version, [(ids["anna"], 0.42, [])], now=NOW)
    page = signed_in(application, "admin").get("/queue")
    assert page.status_code == 200
    card = re.search(rf'<article[^>]*id="card-{ids["anna"]}".*?</article>', page.text, re.S)
    assert card is not None and "Probability 42 %" in card.group(0)
    other = re.search(rf'<article[^>]*id="card-{ids["bert"]}".*?</article>', page.text, re.S)
    assert other is not None and "Probability" not in other.group(0)
