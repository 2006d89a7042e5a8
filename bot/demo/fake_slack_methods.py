"""The fake Slack's workspace (bot/demo/fake_slack.py): what Slack holds (conversations, modals,
App Home views) and the Web API methods that act on it, as Slack answers them. Called with the
fake's lock held; no HTTP here."""

from __future__ import annotations

import copy
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from bot.demo.fake_slack_http import dm_channel, error, truthy

BOT_ID = "B0BOT0001"

Handler = Callable[[dict[str, Any]], dict[str, Any]]


class Workspace:
    """One workspace's messages and views, and a handler per Web API method."""

    def __init__(self, *, bot_user_id: str, team_id: str) -> None:
        self.bot_user_id = bot_user_id
        self.team_id = team_id
        self.history: defaultdict[str, list[dict]] = defaultdict(list)
        self.views: dict[str, dict] = {}
        self.home_views: dict[str, dict] = {}
        self._last_ts_us = 0
        self._view_counter = 0

    def handlers(self) -> dict[str, Handler]:
        return {
            "auth.test": self._auth_test,
            "chat.postMessage": self._post_message,
            "chat.update": self._update_message,
            "chat.postEphemeral": lambda args: {"ok": True, "message_ts": self._next_ts()},
            "conversations.open": self._open_conversation,
            "conversations.history": self._conversation_history,
            "conversations.replies": self._conversation_replies,
            "views.open": self._open_view,
            "views.push": self._open_view,
            "views.update": self._update_view,
            "views.publish": self._publish_view,
            "users.info": self._user_info,
        }

    def all_messages(self) -> list[dict]:
        """Every message held, in every conversation (top-level and replies)."""
        return [copy.deepcopy(m) for history in self.history.values() for m in history]

    def undo(self, method: str, body: dict[str, Any]) -> None:
        """Take back a post the fault says never happened (429, 500 before acting)."""
        if method == "chat.postMessage" and body.get("ok"):
            history = self.history[body["channel"]]
            history[:] = [m for m in history if m.get("ts") != body["ts"]]

    def _next_ts(self) -> str:
        """Wall-clock based so ``oldest=now-N`` queries work, yet strictly increasing."""
        self._last_ts_us = max(int(time.time() * 1_000_000), self._last_ts_us + 1)
        return f"{self._last_ts_us // 1_000_000}.{self._last_ts_us % 1_000_000:06d}"

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://fake.slack.com/",
            "team": "Fake",
            "user": "casebot",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("channel"):
            return error("channel_not_found")
        channel = dm_channel(args["channel"])
        message = {"type": "message", "ts": self._next_ts(), "user": self.bot_user_id, "bot_id": BOT_ID}
        for key in ("text", "blocks", "thread_ts", "metadata"):
            if args.get(key) is not None:
                message[key] = args[key]
        self.history[channel].append(message)
        return {"ok": True, "channel": channel, "ts": message["ts"], "message": message}

    def _update_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = dm_channel(str(args.get("channel", "")))
        message = self._find_message(channel, str(args.get("ts", "")))
        if message is None:
            return error("message_not_found")
        message.update({key: args[key] for key in ("text", "blocks", "metadata") if key in args})
        text = message.get("text", "")
        return {"ok": True, "channel": channel, "ts": message["ts"], "text": text, "message": message}

    def _find_message(self, channel: str, ts: str) -> dict | None:
        return next((msg for msg in self.history.get(channel, []) if msg["ts"] == ts), None)

    def _open_conversation(self, args: dict[str, Any]) -> dict[str, Any]:
        """Only 1:1 DMs: the bot never opens group DMs, so several users is an error here."""
        users = [user.strip() for user in str(args.get("users", "")).split(",") if user.strip()]
        if len(users) != 1:
            return error("users_list_not_supplied" if not users else "fake_supports_one_user_only")
        return {"ok": True, "channel": {"id": dm_channel(users[0])}}

    def _conversation_history(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = dm_channel(str(args.get("channel", "")))
        inclusive = truthy(args.get("inclusive"))
        oldest, latest = float(args.get("oldest") or 0), float(args.get("latest") or "inf")
        in_range = (lambda t: oldest <= t <= latest) if inclusive else (lambda t: oldest < t < latest)
        found = [m for m in reversed(self.history.get(channel, [])) if is_top_level(m) and in_range(float(m["ts"]))]
        offset, limit = int(args.get("cursor") or 0), int(args.get("limit") or 100)
        page = found[offset : offset + limit]
        has_more = offset + limit < len(found)
        return {
            "ok": True,
            "messages": _visible(page, truthy(args.get("include_all_metadata"))),
            "has_more": has_more,
            "response_metadata": {"next_cursor": str(offset + limit) if has_more else ""},
        }

    def _conversation_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, ts = dm_channel(str(args.get("channel", ""))), str(args.get("ts", ""))
        thread = [m for m in self.history.get(channel, []) if ts in (m["ts"], m.get("thread_ts"))]
        if not thread:
            return error("thread_not_found")
        include_metadata = truthy(args.get("include_all_metadata"))
        return {"ok": True, "messages": _visible(thread, include_metadata), "has_more": False}

    def _new_view(self, view: dict, view_id: str | None = None) -> dict:
        self._view_counter += 1
        view_id = view_id or f"V{self._view_counter:08d}"
        stored = {**view, "id": view_id, "hash": f"h{self._view_counter}", "state": {"values": {}}}
        stored["root_view_id"] = view_id
        self.views[view_id] = stored
        return stored

    def _open_view(self, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("trigger_id") == "expired":
            return error("expired_trigger_id")
        if not args.get("trigger_id") or not isinstance(args.get("view"), dict):
            return error("invalid_arguments")
        return {"ok": True, "view": self._new_view(args["view"])}

    def _update_view(self, args: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(args.get("view"), dict):
            return error("invalid_arguments")
        external_id = args.get("external_id")
        current = self.views.get(args.get("view_id", "")) or next((v for v in self.views.values() if external_id and v.get("external_id") == external_id), None)
        if current is None:
            return error("not_found")
        if args.get("hash") and args["hash"] != current["hash"]:
            return error("hash_conflict")
        return {"ok": True, "view": self._new_view(args["view"], current["id"])}

    def _publish_view(self, args: dict[str, Any]) -> dict[str, Any]:
        user_id, view = args.get("user_id"), args.get("view")
        if not user_id or not isinstance(view, dict):
            return error("invalid_arguments")
        current = self.home_views.get(user_id)
        if current and args.get("hash") and args["hash"] != current["hash"]:
            return error("hash_conflict")
        self.home_views[user_id] = self._new_view(view, current["id"] if current else None)
        return {"ok": True, "view": self.home_views[user_id]}

    def _user_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = args.get("user")
        if not user:
            return error("user_not_found")
        name = user.lower()
        person = {"id": user, "name": name, "real_name": f"User {user}", "tz": "Europe/London"}
        return {"ok": True, "user": {**person, "profile": {"display_name": name}}}


def is_top_level(message: dict) -> bool:
    return message.get("thread_ts") in (None, message["ts"])


def _visible(messages: list[dict], include_metadata: bool) -> list[dict]:
    """Slack only returns message metadata when asked to with include_all_metadata."""
    if include_metadata:
        return messages
    return [{k: v for k, v in msg.items() if k != "metadata"} for msg in messages]
