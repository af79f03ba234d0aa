"""A fake Slack on 127.0.0.1: the Web API methods the adapter calls (answered like Slack), the
response_url webhooks, the file upload URL and a Socket Mode WebSocket. It records every call, and
`wait_for` polls the record (the adapter answers after acknowledging, so tests wait for effects)."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestServer

BOT_USER = "UBOT"
BOT_ID = "BBOT"
TEAM = "T1"
APP_ID = "A1"

# Slack's documented limits the fake enforces (https://api.slack.com/reference/block-kit/blocks,
# https://api.slack.com/methods/chat.postMessage)
MAX_BLOCKS = 50  # "You can include up to 50 blocks in each message"
MAX_SECTION_TEXT = 3000  # section text: "Maximum length for the text in this field is 3000 characters"
MAX_BLOCKS_TEXT = 12000  # msg_blocks_too_long: the blocks' text taken together is over ~12,000 characters


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    result: dict[str, Any] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)

    @property
    def ts(self) -> str | None:
        """The message this call made or changed."""
        return self.result.get("ts") or self.result.get("message_ts") or self.params.get("ts")

    @property
    def blocks(self) -> list[dict[str, Any]]:
        blocks = self.params.get("blocks") or []
        return json.loads(blocks) if isinstance(blocks, str) else blocks

    def text_of_blocks(self) -> str:
        """Every text in the blocks, joined: what a person would read."""
        out: list[str] = []

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                if isinstance(node.get("text"), str):
                    out.append(node["text"])
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        walk(self.blocks)
        return "\n".join(out)


class FakeSlack:
    live: ClassVar[list[FakeSlack]] = []  # every fake of the running test, for the suite-wide checks

    def __init__(self) -> None:
        FakeSlack.live.append(self)
        self.calls: list[Call] = []
        self.admins: set[str] = set()
        self.not_in: set[str] = set()  # channels the bot isn't a member of
        self.rate_limited: dict[str, int] = {}  # method → how many 429s to send first
        self.fail_next: dict[str, str] = {}  # method → the error its next call gets
        self.person_tokens: set[str] = set()  # tokens auth.test answers for as a person's
        self.revoked: set[str] = set()  # tokens auth.test (and every method) answers invalid_auth for
        self.channels: dict[str, str] = {"C1": "general", "C2": "quiz", "C3": "random"}  # id → name
        self.violations: list[str] = []  # rule breaks Slack would hide or refuse (the suite fails on them)
        self._replied: set[tuple[str, str]] = set()  # (channel, thread ts) of threads with replies
        self.socket_messages: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._sockets: list[web.WebSocketResponse] = []
        self._ts = itertools.count(1)
        self._changed = asyncio.Event()
        self.server: TestServer | None = None

    # -- lifecycle -----------------------------------------------------------------------------------
    async def start(self) -> FakeSlack:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{hook}", self._respond)
        app.router.add_post("/upload/{file}", self._upload)
        app.router.add_get("/socket", self._socket)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()
        return self

    async def close(self) -> None:
        for socket in self._sockets:
            await socket.close()
        if self.server is not None:
            await self.server.close()

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("")).rstrip("/")

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(self, hook: str = "hook") -> str:
        return f"{self.url}/respond/{hook}"

    # -- what tests read -----------------------------------------------------------------------------
    def made(self, method: str, **where: Any) -> list[Call]:
        """Successful calls of a method with these parameters (refused attempts left out)."""
        return [
            c
            for c in self.calls
            if c.method == method
            and c.result.get("ok", True)
            and all(c.params.get(k) == v for k, v in where.items())
        ]

    async def wait_for(self, method: str, n: int = 1, timeout: float = 60.0, **where: Any) -> list[Call]:
        """The first `n` calls of a method (matching `where`), once there are that many; fails
        after a generous timeout (a wait for an effect, not a claim about speed)."""
        deadline = time.monotonic() + timeout
        while len(found := self.made(method, **where)) < n:
            if time.monotonic() > deadline:
                seen = [(c.method, c.params.get("channel"), c.params.get("thread_ts")) for c in self.calls]
                raise AssertionError(f"expected {n} {method} {where}, got {len(found)}; calls: {seen}")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), 0.5)
        return found[:n]

    async def settle(self, quiet: float = 0.3, timeout: float = 60.0) -> None:
        """Wait until no call has arrived for `quiet` seconds: for checking that nothing MORE
        happens (a duplicate answered twice would show up here)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            last = self.calls[-1].at if self.calls else 0.0
            if time.monotonic() - last >= quiet:
                return
            await asyncio.sleep(quiet / 3)

    def saw(self, event: dict[str, Any]) -> None:
        """A person's message the test sent the bot: a reply in a thread makes the thread exist."""
        thread = event.get("thread_ts")
        if thread and thread != event.get("ts"):
            self._replied.add((event.get("channel", ""), thread))

    def dumped(self) -> str:
        """Every recorded call's parameters as one string (for "never appears" checks)."""
        return "\n".join(json.dumps(c.params, ensure_ascii=False) for c in self.calls)

    # -- the fake API --------------------------------------------------------------------------------
    def _record(self, method: str, params: dict[str, Any], result: dict[str, Any] | None = None) -> None:
        self.calls.append(Call(method, params, result or {}))
        self._changed.set()

    def _ts_next(self) -> str:
        n = next(self._ts)
        return f"{1_700_000_000 + n}.{n:06d}"

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            params |= await request.json()
        elif request.can_read_body:
            params |= dict(await request.post())
        return params

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        params["_token"] = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if self.rate_limited.get(method, 0) > 0:
            self.rate_limited[method] -= 1
            self._record(method, params, {"ok": False, "status": 429})
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "1"}
            )
        error = self.fail_next.pop(method, None) or self._refusal(method, params)
        result = {"ok": False, "error": error} if error else self._answer(method, params)
        self._record(method, params, result)
        return web.json_response(result)

    def _refusal(self, method: str, params: dict[str, Any]) -> str | None:
        """The error Slack answers a call with, by its documented rules; None when it's fine."""
        token = params.get("_token", "")
        if token in self.revoked:
            return "invalid_auth"  # auth.test: "Some aspect of authentication cannot be validated"
        if method.startswith("apps.connections"):  # apps.connections.open takes an app-level token
            return None if token.startswith("xapp-") else "not_allowed_token_type"
        if token.startswith("xapp-"):  # app-level tokens only open Socket Mode connections
            return "not_allowed_token_type"
        if method in ("chat.postMessage", "chat.postEphemeral", "chat.update"):
            return self._too_big(params)
        if method == "views.publish":
            view = params.get("view")
            view = json.loads(view) if isinstance(view, str) else view or {}
            if len(view.get("blocks", [])) > 100:  # "up to 100 blocks" in a modal or Home tab
                return "invalid_arguments"
        return None

    def _too_big(self, params: dict[str, Any]) -> str | None:
        blocks = Call("", params).blocks
        if len(blocks) > MAX_BLOCKS:
            return "invalid_blocks"
        for block in blocks:
            text = block.get("text")
            if (
                block.get("type") == "section"
                and isinstance(text, dict)
                and len(text["text"]) > MAX_SECTION_TEXT
            ):
                return "invalid_blocks"
        if len(Call("", params).text_of_blocks()) > MAX_BLOCKS_TEXT:
            return "msg_blocks_too_long"
        return None

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        channel = params.get("channel") or params.get("channel_id")
        token = params.get("_token", "")
        if method == "auth.test":
            if token.startswith("xoxp-") or token in self.person_tokens:  # a user token: no bot_id
                return {"ok": True, "user_id": "U1", "team_id": TEAM, "user": "ann"}
            return {
                "ok": True,
                "user_id": BOT_USER,
                "bot_id": BOT_ID,
                "team_id": TEAM,
                "user": "aifbot",
                "app_id": APP_ID,
            }
        if method == "bots.info":
            return {
                "ok": True,
                "bot": {"id": BOT_ID, "app_id": APP_ID, "user_id": BOT_USER, "name": "aifbot"},
            }
        if method == "conversations.list":
            found = [{"id": cid, "name": name, "is_channel": True} for cid, name in self.channels.items()]
            return {"ok": True, "channels": found, "response_metadata": {"next_cursor": ""}}
        if method in ("reactions.add", "reactions.remove", "views.publish"):
            return {"ok": True}
        thread = params.get("thread_ts")
        if method == "chat.postEphemeral" and thread and (channel, thread) not in self._replied:
            # chat.postEphemeral: "Ephemeral messages in threads are only shown if there is already
            # an active thread" — Slack answers ok and nobody sees the message
            self.violations.append(f"ephemeral into thread {channel}/{thread} with no replies")
        if method in ("chat.postMessage", "chat.postEphemeral") and channel in self.not_in:
            return {"ok": False, "error": "not_in_channel"}
        if method == "chat.postMessage":
            if params.get("thread_ts"):
                self._replied.add((channel, params["thread_ts"]))
            ts = self._ts_next()
            return {"ok": True, "channel": channel, "ts": ts, "message": {"ts": ts}}
        if method == "chat.update":
            return {"ok": True, "channel": channel, "ts": params.get("ts")}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._ts_next()}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": f"D{params.get('users')}"}}
        if method == "users.info":
            user = params.get("user")
            return {"ok": True, "user": {"id": user, "is_admin": user in self.admins, "is_owner": False}}
        if method == "files.getUploadURLExternal":
            return {"ok": True, "upload_url": f"{self.url}/upload/F1", "file_id": "F1"}
        if method == "files.completeUploadExternal":
            return {"ok": True, "files": [{"id": "F1", "title": "chart"}]}
        if method == "apps.connections.open":
            return {"ok": True, "url": f"{self.url.replace('http', 'ws', 1)}/socket"}
        return {"ok": False, "error": "unknown_method"}

    async def _respond(self, request: web.Request) -> web.Response:
        self._record("response_url", await request.json() | {"_hook": request.match_info["hook"]})
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        body = await request.read()
        upload = {"file": request.match_info["file"], "bytes": len(body), "head": body[:8].hex()}
        self._record("file_upload", upload)
        return web.Response(text=f"OK - {len(body)}")

    # -- Socket Mode ---------------------------------------------------------------------------------
    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        self._sockets.append(socket)
        self._record("socket_connected", {})
        await socket.send_json({"type": "hello", "num_connections": 1})
        async for message in socket:
            if message.type == WSMsgType.TEXT:
                data = json.loads(message.data)
                self._record("socket_ack", data)
                await self.socket_messages.put(data)
        return socket

    async def send_envelope(self, kind: str, payload: dict[str, Any], envelope_id: str) -> None:
        """What Slack sends over Socket Mode: an envelope the client must acknowledge."""
        envelope = {"envelope_id": envelope_id, "type": kind, "payload": payload}
        await self._sockets[-1].send_json(envelope)
