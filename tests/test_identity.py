"""Account identity (issue 16): one table (kanalregister/register/identity.json), two
interpreters (Python: kanalregister.register.identity; JavaScript: templates/static/verify.js),
one table of cases (tests/identity_cases.json), and property tests over generated addresses and
every account of the real national list."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from conftest import REAL_CSV, ROOT, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st
from identity_forms import FORMS, forms, near_misses

from kanalregister.register.identity import account_key, channel_keys, query_key, table
from kanalregister.register.platforms import PLATFORMS

CASES = json.loads((ROOT / "tests" / "identity_cases.json").read_text(encoding="utf-8"))["cases"]
VERIFY_JS = ROOT / "templates" / "static" / "verify.js"
NODE_RUNNER = """
const I = require(process.argv[1]);
const table = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'));
const inputs = JSON.parse(require('fs').readFileSync(0, 'utf8'));
process.stdout.write(JSON.stringify(inputs.map(s => I.queryKey(table, s))));
"""


def js_keys(inputs: list[str]) -> list[str | None]:
    """The browser interpreter's keys of ``inputs``, run by node on the shipped verify.js."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing: install nodejs")
    identity = ROOT / "kanalregister" / "register" / "identity.json"
    p = subprocess.run([node, "-e", NODE_RUNNER, str(VERIFY_JS), str(identity)],
                       input=json.dumps(inputs), capture_output=True, text=True, timeout=120, check=True)
    return json.loads(p.stdout)


@pytest.mark.parametrize("text,key", CASES, ids=[c[0] or "empty" for c in CASES])
def test_python_reads_every_case_of_the_table(text, key):
    assert query_key(text) == key


def test_javascript_reads_every_case_of_the_table_as_python_does():
    got = js_keys([c[0] for c in CASES])
    assert [(c[0], g) for c, g in zip(CASES, got, strict=True) if g != c[1]] == []


def test_every_platform_of_the_schema_has_its_identity_and_cases():
    known = {e["platform"] for e in table()["platforms"]}
    assert set(PLATFORMS) - known == {"mastodon", "blog"}  # any host: the table's "other" rules
    case_platforms = {c[1].split(":")[0] for c in CASES if c[1] and not c[1].startswith("handle:")}
    assert known - case_platforms == set()
    assert "fediverse" in case_platforms
    for key in PLATFORMS:  # the hosts the schema checks come from the same table
        if PLATFORMS[key].hosts:
            assert all(h in PLATFORMS[key].hosts for e in table()["platforms"] if e["platform"] == key
                       for h in e["domains"])


def test_a_handle_the_address_does_not_confirm_is_not_a_key():
    assert channel_keys("https://www.facebook.com/m", (), "m") == []
    assert channel_keys("https://x.com/exempelby", (), "Exempelby") == ["x:name:exempelby", "handle:exempelby"]
    assert channel_keys("https://x.com/exempelby", (), "someone") == ["x:name:exempelby"]


# --- property tests ------------------------------------------------------------------------

NAME = st.from_regex(r"\A[a-z][a-z0-9_]{2,14}\Z")
KEYS = st.one_of(
    *[st.builds(lambda v, ns=ns, kind=kind: f"{ns}:{kind}:{v}", NAME)
      for ns, kind in FORMS if (ns, kind) not in (("fediverse", "fedi"), ("youtube", "channel"), ("bluesky", "did"),
                                                  ("flickr", "nsid"), ("facebook", "id"), ("linkedin", "orgid"),
                                                  ("weibo", "id"), ("tumblr", "name"))],
    st.builds(lambda v: f"facebook:id:{v}", st.integers(10**8, 10**15).map(str)),
    st.builds(lambda v: f"flickr:nsid:{v}@n0{v[-1]}", st.integers(10**6, 10**9).map(str)),
    st.builds(lambda v: f"youtube:channel:UC{v}", st.from_regex(r"\A[A-Za-z0-9_-]{22}\Z")),
    st.builds(lambda u, h: f"fediverse:fedi:{u}@{h}.example", NAME, NAME),
    st.builds(lambda v: f"tumblr:name:{v}", st.from_regex(r"\A[a-z][a-z0-9-]{2,14}[a-z]\Z")),
)


def _reserved(key: str) -> bool:
    ns, _, v = key.split(":", 2)
    return any(v in e.get("reserved", []) for e in table()["platforms"] if e["platform"] == ns)


@settings(max_examples=300, deadline=None)
@given(KEYS)
def test_every_form_of_an_account_is_that_account_and_near_misses_are_not(key):
    if _reserved(key):
        return
    for address in forms(key):
        assert account_key(address) == key, address
    for address in near_misses(key):
        assert query_key(address) != key, address


@pytest.fixture(scope="module")
def real_keys(tmp_path_factory) -> dict[str, str]:
    """identity key → registered address, for every account of the real national list."""
    from conftest import load_register

    if not REAL_CSV.exists():
        pytest.fail(f"{REAL_CSV} is missing: the tests need ../shared beside the repository")
    out = tmp_path_factory.mktemp("real") / "real.yaml"
    r = run_cli("import", str(REAL_CSV), "-o", str(out), "--name", "Sveriges offentliga organ",
                "--website", "https://www.example.se", "--email", "info@example.se", "--register-keeper", "B")
    assert r.code == 0, r.err
    register, _ = load_register(out)
    keys = {}
    for c in register.channels:
        for k in channel_keys(c.url, c.aliases):
            keys[k] = c.url
    assert len(keys) > 2000
    return keys


def real_cases(keys: dict[str, str]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(address, key) pairs: every form of every registered account, and every near miss."""
    hits, misses = [], []
    for key, url in keys.items():
        hits.append((url, key))
        hits += [(f, key) for f in forms(key)]
        misses += [(m, key) for m in near_misses(key)]
    return hits, misses


def test_every_account_of_the_real_list_in_every_form_in_python_and_javascript(real_keys):
    hits, misses = real_cases(real_keys)
    assert len({k.split(':')[0] for _, k in hits}) >= 15 and len(hits) > 8000
    assert [(a, k) for a, k in hits if account_key(a) != k] == []
    wrong = [(a, k) for a, k in misses if query_key(a) == k]
    assert wrong == []
    js = js_keys([a for a, _ in hits] + [a for a, _ in misses])
    assert [(a, k, g) for (a, k), g in zip(hits, js[:len(hits)], strict=True) if g != k] == []
    assert [(a, k) for (a, k), g in zip(misses, js[len(hits):], strict=True) if g == k] == []
    # a near miss that names another registered account is that account, never the one it resembles
    assert all(query_key(a) not in real_keys or query_key(a) != k for a, k in misses)
