"""Generator of tests/bad/*.yaml (run: python tests/bad/make_corpus.py): each case is a small register with one problem.
The marker ‸ shows where the diagnostic must point; it is removed and its line:col written
into the file's first line as '# expect: CODE LINE:COL'. A case may also name text its message
(with the hint) must contain in English and in Swedish: '# text-en: …' and '# text-sv: …'."""
from pathlib import Path
OUT = Path(__file__).resolve().parent
OUT.mkdir(exist_ok=True)
for f in OUT.glob("*.yaml"): f.unlink()

HEAD = """organisation:
  name: Testby kommun
  website: https://www.testby.example
  email: kommun@testby.example
  register_keeper: Kommunikationsenheten
policy: {administrators: off, substitute: off, approval: off, archive: off, review: off, monitoring: off}
"""
CH = dict(id="kanal-ett", name="Testby kommun", platform="facebook", url="https://www.facebook.com/testby",
          department="Kommunledningen", responsible_role="Kommunikatör", contact_email="info@testby.example",
          purpose="Informera invånarna om kommunen.", target_groups="[Invånare]", status="active")

def reg(ch=None, extra="", head=HEAD, drop=()):
    c = dict(CH); c.update(ch or {})
    lines = [f"    {k}: {v}" if i else f"  - {k}: {v}" for i, (k, v) in enumerate((k, v) for k, v in c.items() if k not in drop)]
    return head + "channels:\n" + "\n".join(lines) + "\n" + extra

cases = []
def case(name, code, text, desc, en=None, sv=None):
    cases.append((name, code, text, desc, en, sv))

M = "‸"
# --- broken YAML
case("yaml-unclosed-flow", "yaml.syntax", reg({"target_groups": "[Invånare"}).replace("    status: active", "    status" + M + ": active"), "an unclosed [ list")
case("yaml-bad-indent", "yaml.indent", reg(extra="   " + M + "- id: x\n"), "wrong indentation", "'- id' is not lined up with '- id' on line", "'- id' står inte i linje med '- id' på rad")
case("yaml-unclosed-quote", "yaml.unclosed-quote", reg({"name": M + '"Testby'}), "an unclosed quote", "is never closed (end the text with the same quote mark it starts with)", "stängs aldrig (avsluta texten med samma citattecken som den börjar med)")
case("yaml-tab-indent", "yaml.tab", reg(extra="  -" + M + "\tid: x\n").replace("-‸\t", "-‸\t"), "a tab in indentation", "tab character", "tabbtecken")
case("yaml-tab-indent-start", "yaml.tab", HEAD.replace("  name: Testby", M + "\tname: Testby") + "channels: []\n", "a line indented with a tab")
case("yaml-duplicate-key", "yaml.duplicate-key", reg(extra="    " + M + "name: Falsk kopia\n"), "duplicate key in a channel (PyYAML keeps the last silently)")
case("yaml-duplicate-top-key", "yaml.duplicate-key", reg() + M + "channels: []\n", "duplicate top-level key")
case("yaml-anchor", "yaml.anchor", reg({"department": M + "&d Kommunledningen"}), "an anchor")
case("yaml-alias", "yaml.alias", reg(extra="  - id: kanal-tva\n    name: Två\n    platform: x\n    url: https://x.com/tva\n    department: " + M + "*d\n    status: active\n").replace("department: Kommunledningen", "department: &d Kommunledningen"), "an alias to an anchor")
bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\nh: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\ni: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]\n"
case("yaml-alias-bomb", "yaml.anchor", "bomb:\n  a: " + M + bomb[3:].replace("\n", "\n  ").rstrip() + "\n" + reg(), "billion-laughs alias expansion")
case("yaml-merge-key", "yaml.merge", reg(extra="  - " + M + "<<: {status: active}\n    id: kanal-tva\n"), "a merge key")
case("yaml-python-tag", "yaml.tag", reg({"name": M + "!!python/object/apply:os.system ['echo pwned']"}), "!!python/object/apply tag")
case("yaml-python-name-tag", "yaml.tag", reg({"purpose": M + "!!python/name:os.system"}), "!!python/name tag")
case("yaml-custom-tag", "yaml.tag", reg({"url": M + "!url https://www.facebook.com/testby"}), "an application tag")
case("yaml-binary-tag", "yaml.tag", reg({"name": M + "!!binary aGVq"}), "!!binary")
case("yaml-set-tag", "yaml.tag", reg({"target_groups": M + "!!set {Invånare}"}), "!!set")
case("yaml-deep-nesting", "yaml.depth", reg({"purpose": "[" * 29 + M + "[" * 12 + "]" * 41}), "nesting deeper than 32 levels")
case("yaml-two-documents", "yaml.documents", reg() + M + "---\nchannels: []\n", "two YAML documents")
case("yaml-complex-key", "yaml.key", reg(extra="    ? " + M + "[a, b]\n    : c\n"), "a list used as a key")
case("yaml-bool-key", "yaml.key", reg(extra="    " + M + "true: 1\n"), "a key YAML reads as a boolean")
case("yaml-control-char", "yaml.character", reg({"name": "Testby\x07kommun"}).replace("Testby\x07", "Testby" + M + "\x07"), "a control character YAML does not allow")
# --- bytes and sizes handled in tests; structural
case("root-list", "schema.root", M + "- id: kanal-ett\n- id: kanal-tva\n", "a list where the register mapping is expected")
case("root-scalar", "schema.root", M + "bara text\n", "plain text instead of a register")
case("channels-mapping", "schema.type", HEAD + "channels: " + M + "{id: kanal-ett}\n", "a mapping where the channels list is expected")
case("channel-scalar", "schema.type", HEAD + "channels:\n  - " + M + "kanal-ett\n", "a channel that is a string")
case("missing-channels", "schema.required", M + HEAD, "no channels list")
case("missing-organisation", "schema.required", M + "channels: []\n", "no organisation section")
# --- wrong values
case("unknown-key", "schema.unknown-key", reg(extra="    " + M + "purpouse: Stavfel\n"), "a misspelt key")
case("unknown-top-key", "schema.unknown-key", reg() + M + "kanaler: []\n", "an unknown section")
case("enum-typo", "schema.enum", reg({"platform": M + "Intagram"}), "a misspelt platform")
case("enum-status", "schema.enum", reg({"status": M + "aktiv"}), "a Swedish status value")
case("missing-required", "schema.required", reg(drop=("department",)).replace("  - id:", "  - " + M + "id:"), "a channel without department")
case("wrong-type-list", "schema.type", reg({"target_groups": M + "Invånare"}), "a string where a list is expected")
case("wrong-type-name-list", "schema.type", reg({"name": M + "[a, b]"}), "a list where text is expected")
case("wrong-type-bool", "schema.type", reg({"name": M + "true"}), "a boolean where text is expected")
case("wrong-type-number", "schema.type", reg(extra="    hours_per_week: " + M + "många\n"), "text where a number is expected")
case("list-for-number", "schema.type", reg(extra="    hours_per_week: " + M + "[4]\n"), "a list where a number is expected")
case("date-feb-30", "schema.date", reg({"start_date": M + "2024-02-30"}), "a date that does not exist")
case("date-quoted-feb-30", "schema.date", reg({"start_date": M + '"2024-02-30"'}), "a quoted date that does not exist")
case("date-format", "schema.type", reg({"start_date": M + "30/1 2024"}), "a date in the wrong format")
case("date-with-time", "schema.type", reg({"start_date": M + "2024-01-30 12:00:00"}), "a date with a time")
case("id-uppercase", "schema.pattern", reg({"id": M + "Kanal-Ett"}), "an id with capitals")
case("id-case-duplicate", "schema.unique", reg(extra="  - id: kanal-ett\n    name: Kopia\n    platform: x\n    url: https://x.com/kopia\n    department: Xavdelningen\n    status: active\n").replace("  - id: kanal-ett\n    name: Kopia", "  - id: " + M + "kanal-ett\n    name: Kopia"), "two channels with the same id")
case("url-duplicate-case", "schema.unique", reg(extra="  - id: kanal-tva\n    name: Kopia\n    platform: facebook\n    url: " + M + "https://www.facebook.com/TESTBY/\n    department: Xavdelningen\n    status: active\n"), "the same account twice, in other case")
case("closed-without-date", "rule.closing-date", reg({"status": M + "closed"}), "a closed channel without closing date")
case("closing-before-start", "rule.closing-before-start", reg({"status": "closed", "start_date": "2020-01-01", "closing_date": M + "2019-01-01"}), "closing before start")
case("active-with-closing", "rule.active-closed", reg({"closing_date": M + "2020-01-01"}), "an active channel with a closing date")
case("successor-missing", "rule.successor", reg({"status": "closed", "start_date": "2020-01-01", "closing_date": "2021-01-01", "last_archived": "2021-01-01", "successor": M + "kanal-tvo"}), "a successor that does not exist")
case("policy-unknown-rule", "policy.unknown-rule", reg().replace("policy: {", "policy: {" + M + "archives: off, "), "a misspelt policy rule")
case("policy-bad-level", "policy.level", reg().replace("monitoring: off}", "monitoring: " + M + "fatal}"), "a policy level that does not exist")
# --- hostile content
case("url-javascript", "url.scheme", reg({"url": M + '"javascript:alert(1)"'}), "a javascript: link")
case("url-data", "url.scheme", reg({"url": M + '"data:text/html,<script>alert(1)</script>"'}), "a data: URL")
case("url-http", "url.https", reg({"url": M + "http://www.facebook.com/testby"}), "an http: URL")
case("url-credentials", "url.credentials", reg({"url": M + "https://user:pass@www.facebook.com/testby"}), "a URL with credentials")
case("url-wrong-host", "url.platform", reg({"url": M + "https://www.faceb00k.com/testby"}), "a look-alike host")
case("url-host-suffix-trick", "url.platform", reg({"url": M + "https://facebook.com.evil.example/testby"}), "a host that only starts like the platform")
case("url-space", "url.space", reg({"url": M + '"https://www.facebook.com/test by"'}), "a URL with a space")
case("website-javascript", "url.scheme", HEAD.replace("website: https://www.testby.example", "website: " + M + '"javascript:alert(1)"') + "channels: []\n", "the organisation website as javascript:")
case("party-url-javascript", "url.scheme", reg(extra="party_channels:\n  - {party: P, platform: blog, url: " + M + '"javascript:alert(1)"}\n'), "a party link as javascript:")
case("bidi-in-name", "text.bidi", reg({"name": M + '"Testby \u202ekommun"'}), "a right-to-left override in the name")
case("zero-width-in-name", "text.invisible", reg({"name": M + '"Testby\u200b kommun"'}), "a zero-width space in the name")
case("zero-width-joiner-handle", "text.invisible", reg(extra="    handle: " + M + '"testby\u200d"\n'), "a zero-width joiner in the handle")
case("lookalike-cyrillic", "text.lookalike", reg({"name": "T" + M + "еstby kommun"}), "a Cyrillic е in a Latin name")
case("lookalike-greek", "text.lookalike", reg({"name": "Testby k" + M + "οmmun"}), "a Greek ο in a Latin name")
case("control-in-name", "text.control", reg({"name": M + '"Testby\\u0007kommun"'}), "an escaped control character")
case("newline-in-name", "text.control", reg({"name": M + '"Testby\\nkommun"'}), "a line break in a one-line field")
# --- content that must not be there
case("credential-key", "safety.credential-key", reg(extra="    " + M + "password: hemligt123\n"), "a password key")
case("credential-key-swedish", "safety.credential-key", reg(extra="    " + M + "lösenord: hemligt123\n"), "a Swedish password key")
case("credential-value", "safety.credential", reg(extra="    notes: " + M + '"Inlogg: lösenord: Sommar2024!"\n'), "a password written in the notes")
case("token-value", "safety.credential", reg(extra="    notes: " + M + "ghp_abcdefghijklmnopqrstuvwxyz0123456789\n"), "a GitHub token in the notes")
case("personnummer-in-purpose", "safety.personnummer", reg({"purpose": M + '"Kontakt: Anna, 19811218-9876"'}), "a personnummer in a published field")
case("mobile-in-purpose", "safety.private-phone", reg({"purpose": M + '"Ring Anna på 070-123 45 67"'}), "a mobile number in a published field")
case("freemail-contact", "safety.private-email", reg({"contact_email": M + "anna.svensson@gmail.com"}), "a private e-mail as public contact")
case("admin-email-public", "safety.internal-data", reg({"contact_email": M + "alva.admin@testby.example"}, extra="    administrators:\n      - {name: Alva Admin, email: alva.admin@testby.example}\n"), "an administrator's e-mail as public contact")
case("admin-name-in-purpose", "safety.internal-data", reg({"purpose": M + '"Alva Admin svarar på frågor."'}, extra="    administrators:\n      - {name: Alva Admin, email: alva.admin@testby.example}\n"), "an administrator's name in the purpose")
case("admin-phone-public", "safety.internal-data", reg({"purpose": M + '"Ring 0123-45 01 01"'}, extra="    administrators:\n      - {name: Alva Admin, email: alva.admin@testby.example, phone: 0123-45 01 01}\n"), "an administrator's phone in the purpose")
# --- issue 15: look-alikes in what identifies an account, positions after non-ASCII text
case("lookalike-handle", "text.lookalike", reg(extra="    handle: sk" + M + "\u043elaexempelby\n"), "a Cyrillic о in the handle")
case("lookalike-url", "text.lookalike", reg({"url": "https://www.facebook.com/t" + M + "\u0435stby"}), "a Cyrillic е in the address")
case("lookalike-alias", "text.lookalike", reg(extra="    aliases:\n      - https://www.facebook.com/t" + M + "\u0435stby.kommun\n"), "a Cyrillic е in an alias")
case("lookalike-organisation", "text.lookalike", reg(head=HEAD.replace("name: Testby kommun", "name: T" + M + "еstby kommun")), "a Cyrillic е in the organisation's name")
case("lookalike-quoted-name", "text.lookalike", reg({"name": '"Testby k' + M + 'οmmun"'}), "a Greek ο in a quoted name")
case("nul-after-swedish-letters", "yaml.character", reg({"purpose": "Informera om åäö och " + M + "\x00 mer."}), "a NUL byte after non-ASCII letters on its line")
# --- issue 17: YAML syntax errors in plain words, at the line of the mistake, in both languages
case("yaml-missing-colon", "yaml.missing-colon", reg().replace("    department: Kommunledningen", "    department" + M + " Kommunledningen"), "a key without its colon, in the middle of an entry", "the colon after 'department' is missing (write 'department: Kommunledningen')", "kolonet efter 'department' saknas (skriv 'department: Kommunledningen')")
case("yaml-missing-colon-last", "yaml.missing-colon", reg(extra="    monitoring" + M + " Vardagar 8–17\n"), "a key without its colon on the last line", "the colon after 'monitoring' is missing", "kolonet efter 'monitoring' saknas")
case("yaml-colon-without-space", "yaml.colon-space", reg().replace("    department: Kommunledningen", "    department:" + M + "Kommunledningen"), "no space after the colon (purpose:Text)", "a space is missing after the colon of 'department' (write 'department: Kommunledningen' with a space after the colon)", "mellanslag saknas efter kolonet i 'department' (skriv 'department: Kommunledningen' med mellanslag efter kolonet)")
case("yaml-colon-in-value", "yaml.colon-in-value", reg({"purpose": M + "Vi informerar: om allt som händer"}), "a plain value with ': ' inside", "put the text in quotes: purpose: \"Vi informerar: om allt som händer\"", "sätt texten inom citattecken: purpose: \"Vi informerar: om allt som händer\"")
case("yaml-indent-more", "yaml.indent", reg(extra="      " + M + "monitoring: Vardagar\n"), "a key indented more than the key above it", "'monitoring' is not lined up with 'status' on line 21 (indent it 4 spaces, as 'status' above it)", "'monitoring' står inte i linje med 'status' på rad 21 (dra in raden 4 mellanslag, som 'status' ovanför)")
case("yaml-indent-less", "yaml.indent", reg(extra="   " + M + "monitoring: Vardagar\n"), "a key indented less than the key above it", "'monitoring' is not lined up with 'status' on line 21", "'monitoring' står inte i linje med 'status' på rad 21")

for i, (name, code, text, desc, en, sv) in enumerate(cases, 1):
    assert text.count(M) == 1, name
    idx = text.index(M)
    before = text[:idx]
    words = (f"# text-en: {en}\n# text-sv: {sv}\n" if en else "")
    line = before.count("\n") + 3 + words.count("\n")  # after the header lines
    col = len(before) - (before.rfind("\n") + 1) + 1
    body = text.replace(M, "")
    hdr = f"# expect: {code} {line}:{col}\n# case: {desc}\n" + words
    # the description goes at the end so that it does not shift positions
    body = body if body.endswith("\n") else body + "\n"
    (OUT / f"{i:03d}-{name}.yaml").write_text(hdr + body, encoding="utf-8")
print(len(cases))
