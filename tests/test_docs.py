"""The README stays true: its commands, its issue codes and its example of adding a column."""
from __future__ import annotations

import json
import re
import shutil

from conftest import AS_OF, POLICIES, ROOT, write_csv
from sync import issues as iss
from sync import jobs
from sync.policy import load

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_ci_runs_exactly_the_readme_test_command():
    assert "    bash scripts/test " in README and "    bash scripts/demo " in README
    ci = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line and not line.startswith("#")]
    assert "bash scripts/test" in ci


def test_every_issue_code_is_documented():
    codes = set(iss.CATALOGUE) | {r.code for s in load(POLICIES).sheets.values() for r in s.rules}
    documented = set(re.findall(r"`([a-z]+(?:-[a-z]+)+)`", README))
    assert codes <= documented, sorted(codes - documented)


def test_adding_a_column_works_as_the_readme_says(sheets, tmp_path):
    snippet = re.search(r"add one line to `policies/sheets/gate_log.yml`:\n\n```yaml\n(.*?)```", README, re.S).group(1)
    policies = tmp_path / "policies"
    shutil.copytree(POLICIES, policies)
    gate = policies / "sheets" / "gate_log.yml"
    text = gate.read_text(encoding="utf-8")
    gate.write_text(text.replace("rules:\n", snippet + "rules:\n", 1), encoding="utf-8")
    gate_rows = sheets["出入登记"]
    gate_rows[0].append("前往部门")
    gate_rows[1].append("国际交流处")
    gate_rows[2].append("火星办公室")
    result = jobs.check(write_csv(tmp_path / "book", sheets), policies, AS_OF)
    assert [(i.code, i.cell) for i in result.issues] == [("unknown-reference", "I3")]
    assert result.tables["gate_log"].records(valid_only=False)[0]["destination"] == "international"


def test_every_verb_is_in_the_readme():
    from sync.cli import main
    verbs = set(main.commands) - {"schema"} | {"schema export"}
    documented = set(re.findall(r"`python -m sync ([a-z-]+(?: export)?)", README))
    assert verbs <= documented, sorted(verbs - documented)


# -- the first ten minutes, as a new user reads them -----------------------------------------------

def test_the_readme_points_at_nothing_a_clone_lacks():
    assert "../shared" not in README
    for path in re.findall(r"`((?:examples|scripts|policies|bench)/[\w./-]+\.\w+)`", README):
        assert (ROOT / path).exists(), path


def test_the_verb_table_names_each_verbs_required_options():
    from sync.cli import main
    rows = [line for line in README.splitlines() if line.startswith("| `python -m sync ")]
    for name, command in main.commands.items():
        row = next((r for r in rows if r.startswith(f"| `python -m sync {name}")), None)
        if row is None:
            continue                       # schema's subcommands have rows of their own
        required = [p.opts[0] for p in command.params if getattr(p, "required", False)]
        assert all(opt in row for opt in required), (name, required, row)


def test_check_help_says_a_google_config_is_accepted():
    from click.testing import CliRunner
    from sync.cli import main
    result = CliRunner().invoke(main, ["check", "--help"])
    assert result.exit_code == 0 and "Google config" in " ".join(result.output.split())


def test_scripts_test_installs_browsers_without_recommends():
    script = (ROOT / "scripts" / "test").read_text(encoding="utf-8")
    installs = [line for line in script.splitlines() if "apt-get install" in line]
    assert installs and all("--no-install-recommends" in line for line in installs)
    assert "npm ci" in script and (ROOT / "package-lock.json").is_file()


def test_the_quick_start_works_as_written(tmp_path):
    """scripts/demo in a copy of the clone, then the README's own commands: the check's deliberate mistakes,
    the site opened from disk, and the serve command it prints, as written (on a free port)."""
    import socket
    import subprocess
    import time
    import urllib.request
    clone = tmp_path / "clone"
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.split("\0")
    for rel in files:
        if (ROOT / rel).is_file():
            (clone / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, clone / rel)
    (clone / ".venv").symlink_to((ROOT / ".venv").resolve())
    demo = subprocess.run(["bash", "scripts/demo"], cwd=clone, capture_output=True, text=True, timeout=600)
    assert demo.returncode == 0, demo.stderr[-2000:]
    mistakes = int(re.search(r"with (\d+) deliberate mistakes\n?\s*\((\d+) errors and (\d+) warnings", README).group(1))
    errors, warnings = map(int, re.search(r"\((\d+) errors and (\d+) warnings", README).groups())
    assert errors + warnings == mistakes
    assert f"{errors} error(s), {warnings} warning(s) in total" in demo.stdout
    for page in re.findall(r"`(build/demo/public/[\w/]*index\.html)`", README):
        assert "cd-card" in (clone / page).read_text(encoding="utf-8"), page
    serve = re.search(r"^    (\.venv/bin/python -m sync serve [^\n]+)$", README, re.M).group(1)
    assert serve in demo.stdout                               # the hint the demo prints is the README's
    # Sign-off: unsigned, the day is a private draft only; the row in 签发.csv publishes it.
    unsigned, signed = re.findall(r"^2020-02-23 .*", demo.stdout.split("== 5. sign-off")[1], re.M)
    assert "awaiting sign-off, not published" in unsigned and "signed and published" in signed
    signoff = clone / "build/demo/signoff/data"
    assert json.loads((signoff / "summaries/2020-02-23.json").read_text(encoding="utf-8"))["signoff"]["state"] == \
        "signed"
    assert json.loads((signoff / "summaries/awaiting.json").read_text(encoding="utf-8"))["dates"] == []
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(serve.split() + ["--port", str(port)], cwd=clone, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/en/index.html", timeout=5) as answer:
                    body = answer.read().decode("utf-8")
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise AssertionError("the README's serve command served nothing")
        assert 'data-figure="confirmed"' in body and "No daily figures yet" not in body
    finally:
        server.terminate()
        server.wait(timeout=10)
