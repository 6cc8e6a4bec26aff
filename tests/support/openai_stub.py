"""A small LLM server on loopback speaking the OpenAI protocol (and Anthropic's /v1/messages).

It answers from a queue of scripted replies, in order: valid or broken content, slow replies,
HTTP errors, with or without usage figures; once the queue is empty, from `respond(request)` if
set (a reply that depends on the prompt), else with HTTP 500. Every request body is kept, so a
test can check what was sent (and how many requests were made). Use as a context manager.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Scripted:
    content: str = ""
    delay: float = 0.0  # seconds before answering (a client with a shorter timeout gives up)
    status: int = 200
    usage: bool = True  # False: the reply carries no usage figures
    prompt_tokens: int | None = None  # None: counted from the request (words)
    completion_tokens: int | None = None


class OpenAIStub:
    def __init__(self, model: str = "stub-model") -> None:
        self.model = model
        self.script: deque[Scripted] = deque()
        self.requests: list[dict] = []
        self.respond: Callable[[dict], Scripted | str] | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    @property
    def anthropic_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def reply(self, *replies: Scripted | str) -> None:
        with self._lock:
            self.script.extend(r if isinstance(r, Scripted) else Scripted(r) for r in replies)

    @property
    def calls(self) -> int:
        return len(self.requests)

    def __enter__(self) -> "OpenAIStub":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def _next(self, body: dict) -> Scripted:
        with self._lock:
            self.requests.append(body)
            if self.script:
                return self.script.popleft()
        if self.respond is not None:
            try:
                reply = self.respond(body)
            except Exception as exc:  # a broken responder is a test bug: answer 500 and say which
                return Scripted(status=500, content=f"respond() raised {exc!r}")
            return reply if isinstance(reply, Scripted) else Scripted(reply)
        return Scripted(status=500, content="the stub has no scripted reply left")

    def _handler(self):
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output quiet
                return

            def do_GET(self) -> None:  # noqa: N802 (http.server API)
                if self.path.rstrip("/") != "/v1/models":
                    return self._json(404, {"error": {"message": "not found"}})
                self._json(200, {"object": "list", "data": [{"id": stub.model, "object": "model", "owned_by": "stub"}]})

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                body["_path"] = self.path
                scripted = stub._next(body)
                if scripted.delay and stub._stopping.wait(scripted.delay):
                    return
                if scripted.status != 200:
                    return self._json(scripted.status, {"error": {"message": scripted.content, "type": "stub_error"}})
                prompt, completion = _usage(scripted, body)
                if self.path.endswith("/messages"):
                    return self._json(200, _anthropic_reply(stub.model, scripted, prompt, completion))
                if self.path.endswith("/chat/completions"):
                    return self._json(200, _chat_reply(stub.model, scripted, prompt, completion))
                if self.path.endswith("/completions"):
                    return self._json(200, _completion_reply(stub.model, scripted, prompt, completion))
                self._json(404, {"error": {"message": f"no route {self.path}"}})

            def _json(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode("utf-8")
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    return  # the client gave up waiting (a timeout test): nothing to answer

        return Handler


def _usage(scripted: Scripted, body: dict) -> tuple[int, int]:
    words = sum(len(str(m.get("content", "")).split()) for m in body.get("messages", []))
    words += len(str(body.get("prompt", "")).split()) + len(str(body.get("system", "")).split())
    prompt = scripted.prompt_tokens if scripted.prompt_tokens is not None else words
    completion = scripted.completion_tokens if scripted.completion_tokens is not None else len(scripted.content.split())
    return prompt, completion


def _chat_reply(model: str, scripted: Scripted, prompt: int, completion: int) -> dict:
    reply = {
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": scripted.content}, "finish_reason": "stop"}],
    }
    if scripted.usage:
        reply["usage"] = {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
    return reply


def _completion_reply(model: str, scripted: Scripted, prompt: int, completion: int) -> dict:
    reply = {
        "id": "cmpl-stub",
        "object": "text_completion",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "text": scripted.content, "finish_reason": "stop", "logprobs": None}],
    }
    if scripted.usage:
        reply["usage"] = {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
    return reply


def _anthropic_reply(model: str, scripted: Scripted, prompt: int, completion: int) -> dict:
    return {
        "id": "msg_stub",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [{"type": "text", "text": scripted.content}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": prompt, "output_tokens": completion},
    }
