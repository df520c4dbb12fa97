"""Bounce webhooks of mail providers: ``POST /capture/webhooks/bounces/{provider}``.

``provider`` is ``generic`` (our own JSON shape) or ``ses`` (Amazon SES
notifications through SNS); see ``services/bounces.py`` for both shapes.
The caller proves itself with the shared secret
``SILVERPLATTER_BOUNCE_WEBHOOK_SECRET``, given as the ``X-Webhook-Secret``
header or a ``secret`` query parameter (SNS can only call a URL); without a
configured secret the webhook refuses everything.  An SNS subscription
confirmation is acknowledged and its confirmation address logged — confirm
it by opening that address once (the product fetches nothing it is told to).
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse

from silverplatter.services.bounces import PROVIDERS, BounceError, bounces_from_payload, record_all
from silverplatter.web.problems import problem_response
from silverplatter.web.security import clock

log = logging.getLogger(__name__)
router = APIRouter(prefix="/capture/webhooks", tags=["capture"], include_in_schema=False)

Provider = Annotated[str, Path(max_length=20, description="generic or ses")]
MAX_BODY = 1024 * 1024


def _authorised(request: Request) -> bool:
    configured = request.app.state.settings.bounce_webhook_secret
    expected = configured.get_secret_value() if configured is not None else ""
    if not expected:
        return False
    given = request.headers.get("x-webhook-secret") or request.query_params.get("secret") or ""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


@router.post("/bounces/{provider}", response_model=None)
async def bounce_webhook(request: Request, provider: Provider) -> JSONResponse:
    """Record the bounces and complaints a provider reports."""
    if provider not in PROVIDERS:
        return problem_response(
            404,
            f"provider must be one of {', '.join(PROVIDERS)}",
            [{"field": "provider", "message": "unknown provider"}],
        )
    if not _authorised(request):
        return problem_response(403, "the webhook secret is missing or wrong")
    body = await request.body()
    if len(body) > MAX_BODY:
        return problem_response(413, "the request is larger than 1 MB")
    try:
        document: Any = json.loads(body)
    except ValueError:
        return problem_response(
            422, "the body must be JSON", [{"field": "body", "message": "expected JSON"}]
        )
    if isinstance(document, dict) and document.get("Type") == "SubscriptionConfirmation":
        log.warning("SNS subscription to confirm: %s", document.get("SubscribeURL"))
        return JSONResponse({"recorded": 0, "subscription": "confirm it at its SubscribeURL"})
    try:
        bounces = bounces_from_payload(provider, document)
    except BounceError as error:
        return problem_response(422, str(error), [{"field": error.field, "message": error.message}])
    state = request.app.state
    settings = state.settings
    with state.engine.begin() as connection:
        recorded = record_all(
            connection,
            bounces,
            source="webhook",
            now=clock(request),
            soft_limit=settings.soft_bounce_limit,
        )
    return JSONResponse(
        {
            "recorded": len(recorded),
            "kinds": [item.kind for item in recorded],
            "suppressed": sum(1 for item in recorded if item.suppressed),
        }
    )
