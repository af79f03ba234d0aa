"""The one HTTP server of `aifbot serve`: health, readiness and Prometheus metrics (and, in Slack
HTTP mode, the Slack events endpoint the Slack adapter adds)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from tools.metrics import METRICS, Metrics

ReadinessCheck = Callable[[], Awaitable[bool]]


def make_web_app(checks: dict[str, ReadinessCheck], metrics: Metrics = METRICS) -> web.Application:
    """/healthz: the process answers. /readyz: every dependency answers (503 names the ones that
    don't). /metrics: Prometheus text format."""

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def readyz(_request: web.Request) -> web.Response:
        results = {name: await check() for name, check in checks.items()}
        ready = all(results.values())
        return web.json_response(
            {"status": "ready" if ready else "not ready", "checks": results}, status=200 if ready else 503
        )

    async def metrics_page(_request: web.Request) -> web.Response:
        body = generate_latest(metrics.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    app = web.Application(client_max_size=1024**2)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics_page)
    return app


async def start_web_app(app: web.Application, host: str, port: int) -> web.AppRunner:
    # requests still open when the server stops get 2 s: the shutdown as a whole has 10
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
