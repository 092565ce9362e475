"""Sign-off before publishing (campus.yml `signoff: required`): the office signs a day in its sign-off
sheet (policies/sheets/signoff.yml) and only then is the day published.

For each day of a run, against the newest valid sign-off row of the day and the newest sign-off the
archive holds for it:

    unsigned    nothing new is published; the draft (what would be published, held values and
                cross-checks included) goes to the private side, and the public side says the day
                awaits the office's sign-off
    signed      a sign-off row the archive (store/office.py) has not seen: the day's draft is published -- with
                "release held" as typed, the held values marked as confirmed by the office -- and
                the archive keeps the sign-off with the draft it covered and what was published
    unchanged   signed before and the draft is still the one signed: published as signed
    late-edit   signed before, but the day's figures changed since: what was signed stays
                published (byte for byte), and the change is listed privately until the day is
                signed again
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cached_property

from .files import stable_json

SHEET = "signoff"
AWAITING = {"zh": "今日数据待防控办签发", "en": "Today's figures await the office's sign-off"}
CONFIRMED = {"zh": "经防控办确认", "en": "confirmed by the office"}


@dataclass
class Decision:
    state: str                  # unsigned | signed | unchanged | late-edit
    public: dict | None         # the summary to publish, None: publish nothing new for the day
    signoff: dict | None        # the sign-off row that covers what is published
    draft: dict                 # what would be published now
    fresh: bool = False         # the public summary is new: write the day's page and export from it


def _signoffs(digest, day: dt.date) -> list[dict]:
    return sorted(digest.scope.records_by_day(SHEET).get(day, []), key=lambda r: r["signed_at"])


def _row(record: dict) -> dict:
    return {"date": record["date"].isoformat(), "signed_by": record["signed_by"],
            "signed_at": record["signed_at"].isoformat(), "note": record.get("note"),
            "release_held": bool(record.get("release_held")), "row": record["_row"]}


def _comparable(summary: dict) -> str:
    """A draft as compared with the one signed: late_edits counts change with every read, not the figures."""
    return json.dumps({k: v for k, v in summary.items() if k not in ("late_edits", "signoff")}, sort_keys=True,
                      ensure_ascii=False)


def released(draft: dict, unheld: dict) -> dict:
    """The summary with held values published as typed (from a digest that holds nothing), each
    marked as confirmed by the office."""
    out = {**unheld, "confirmed": {section: {key: CONFIRMED for key in fields}
                                   for section, fields in (draft.get("held") or {}).items()}}
    out["held"] = {}
    return out


def decide(digest, day: dt.date, archive, unheld: "SignOff") -> Decision:
    """What to publish for one day."""
    draft = json.loads(stable_json(digest.summary(day)))
    rows = _signoffs(digest, day)
    newest = _row(rows[-1]) if rows else None
    kept = archive.signoff(day)
    if newest and (kept is None or kept["signed_at"] < newest["signed_at"]):
        public = released(draft, json.loads(stable_json(unheld.unheld.summary(day)))) \
            if newest["release_held"] and draft.get("held") else draft
        public = {**public, "signoff": {"state": "signed", "signed_at": newest["signed_at"],
                                        "release_held": newest["release_held"]}}
        return Decision("signed", public, newest, draft, fresh=True)
    if kept is None:
        return Decision("unsigned", None, None, draft)
    if _comparable(json.loads(kept["draft"])) == _comparable(draft):
        return Decision("unchanged", json.loads(kept["published"]), kept, draft)
    return Decision("late-edit", json.loads(kept["published"]), kept, draft)


class SignOff:
    """A run's sign-off decisions; `unheld` is the day as it would be with nothing held (built when a
    sign-off releases held values)."""

    def __init__(self, archive, make_unheld):
        self.archive, self._make = archive, make_unheld

    @classmethod
    def for_run(cls, policy, result, archive, facts) -> "SignOff":
        import dataclasses

        from ..summarize import Digest
        unheld = dataclasses.replace(policy, campus={**policy.campus, "hold": []})
        return cls(archive, lambda: Digest(result, unheld, facts))

    @cached_property
    def unheld(self):
        return self._make()

    def decide(self, digest, day: dt.date) -> Decision:
        return decide(digest, day, self.archive, self)


def private_note(decision: Decision) -> dict:
    """The private detail's `signoff` section: the state, the sign-off, and the draft itself when
    it is not what the public sees."""
    note = {"state": decision.state, "signoff": decision.signoff and {k: v for k, v in decision.signoff.items()
                                                                      if k not in ("draft", "published")}}
    if decision.state in ("unsigned", "late-edit"):
        note["draft"] = decision.draft
        note["message"] = AWAITING if decision.state == "unsigned" else {
            "zh": "签发后当日数据有改动，改动暂不发布，待防控办重新签发",
            "en": "The day's figures changed after sign-off; the change is held until the office signs the day again"}
    return note
