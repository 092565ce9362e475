"""The office's records in the archive, beside what runs read: each sign-off of a day with the draft
it covered and what was published (publish/signoff.py), and which cells of each Google spreadsheet
carry our highlights (publish/highlights.py), so that a fixed cell is cleared on the next run.

    signoffs   (day, signed_at): the sign-off row, the run, the draft and the published summary (JSON)
    marks      (spreadsheet, tab, cell) highlighted by the newest write-back
"""
from __future__ import annotations

import datetime as dt
import json

from .archive import Archive, Reading

SCHEMA = """
CREATE TABLE IF NOT EXISTS signoffs(day TEXT NOT NULL, signed_at TEXT NOT NULL, signoff TEXT NOT NULL,
    run_id INTEGER NOT NULL, draft TEXT NOT NULL, published TEXT NOT NULL, PRIMARY KEY(day, signed_at));
CREATE TABLE IF NOT EXISTS marks(spreadsheet TEXT NOT NULL, tab TEXT NOT NULL, cell TEXT NOT NULL,
    PRIMARY KEY(spreadsheet, tab, cell));
"""


def _dumps(body) -> str:
    return json.dumps(body, sort_keys=True, ensure_ascii=False)


class Office:
    def __init__(self, archive: Archive):
        self.archive, self.db = archive, archive.db
        self.db.executescript(SCHEMA)

    # -- sign-offs ------------------------------------------------------------------------------

    def signoff(self, day: dt.date) -> dict | None:
        """The newest sign-off archived for a day: its row, and the draft and summary (JSON texts)."""
        row = self.db.execute("SELECT signoff, draft, published FROM signoffs WHERE day = ? ORDER BY signed_at DESC "
                              "LIMIT 1", (day.isoformat(),)).fetchone()
        return {**json.loads(row[0]), "draft": row[1], "published": row[2]} if row else None

    def record_signoff(self, reading: Reading, signoff: dict, draft: dict, published: dict) -> None:
        self.archive._write(lambda: self.db.execute(
            "INSERT OR REPLACE INTO signoffs VALUES (?, ?, ?, ?, ?, ?)",
            (signoff["date"], signoff["signed_at"], _dumps(signoff), reading.run_id, _dumps(draft), _dumps(published))))

    def signoffs(self) -> list[dict]:
        """Every sign-off archived, oldest first, with what it covered (for the office)."""
        return [{**json.loads(s), "run_id": r, "draft": json.loads(d), "published": json.loads(p)}
                for s, r, d, p in self.db.execute("SELECT signoff, run_id, draft, published FROM signoffs "
                                                  "ORDER BY day, signed_at")]

    # -- highlights in Google spreadsheets --------------------------------------------------------

    def marks(self, spreadsheet: str) -> set[tuple[str, str]]:
        return set(self.db.execute("SELECT tab, cell FROM marks WHERE spreadsheet = ?", (spreadsheet,)))

    def record_marks(self, spreadsheet: str, marks: set[tuple[str, str]]) -> None:
        def work():
            self.db.execute("DELETE FROM marks WHERE spreadsheet = ?", (spreadsheet,))
            self.db.executemany("INSERT INTO marks VALUES (?, ?, ?)", [(spreadsheet, t, c) for t, c in sorted(marks)])
        self.archive._write(work)
