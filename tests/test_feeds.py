"""The arXiv Atom (query API) and RSS (announcement feed) parser."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommender.papers import Record, Rejection
from recommender.people import displayed
from recommender.sources import arxiv_json, feeds, parse_text, table
from recommender.sources.checks import MAX_TITLE_CHARS

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
ATOM = DATA / "arxiv" / "api_query.atom.xml"
RSS = DATA / "arxiv" / "rss_cs_LG.xml"
RSS_EMPTY = DATA / "arxiv" / "rss_cs_LG_empty.xml"
RSS1 = DATA / "arxiv" / "rss1_hep-ex.xml"
TODAY = date(2025, 6, 2)

RSS_HEAD = """<?xml version='1.0' encoding='UTF-8'?>
<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0">
  <channel>
    <title>cs.LG updates on arXiv.org</title>
    <link>http://rss.arxiv.org/rss/cs.LG</link>
    <pubDate>Mon, 02 Jun 2025 00:00:00 -0400</pubDate>
"""
RSS_TAIL = "  </channel>\n</rss>\n"


def item(aid: str = "2505.24464v1", kind: str = "new", title: str = "A title",
         abstract: str = "An abstract.", date_: str = "Mon, 02 Jun 2025 00:00:00 -0400",
         authors: str = "Ada Lovelace, Charles Babbage") -> str:
    description = f"<description>arXiv:{aid} Announce Type: {kind} \nAbstract: {abstract}</description>" \
        if abstract is not None else ""
    title_xml = f"<title>{title}</title>" if title is not None else ""
    return (
        "    <item>\n"
        f"      {title_xml}\n"
        f"      <link>https://arxiv.org/abs/{aid.split('v')[0]}</link>\n"
        f"      {description}\n"
        f"      <guid isPermaLink=\"false\">oai:arXiv.org:{aid}</guid>\n"
        "      <category>cs.LG</category>\n"
        f"      <pubDate>{date_}</pubDate>\n"
        f"      <arxiv:announce_type>{kind}</arxiv:announce_type>\n"
        f"      <dc:creator>{authors}</dc:creator>\n"
        "    </item>\n"
    )


def announcements(text: str, path: str = "feed.xml") -> list:
    return list(feeds.parse_announcements(text, path, TODAY))


def test_rss_announcements():
    out = announcements(RSS.read_text(encoding="utf-8"), "rss.xml")
    assert all(isinstance(x, tuple) for x in out)
    kinds = [(kind, r.arxiv_id, r.version) for kind, r in out]
    assert kinds == [
        ("new", "2212.14032", 1),
        ("cross", "2505.24464", 1),
        ("cross", "2505.20817", 1),
        ("replace", "1606.08415", 5),
        ("replace-cross", "2310.13548", 2),
    ]
    records = [r for _, r in out]
    # each record names the line of its <item>
    lines = RSS.read_text(encoding="utf-8").split("\n")
    assert all(lines[r.source.line - 1].strip() == "<item>" for r in records)
    assert [r.source.line for r in records] == [19, 32, 45, 58, 77]
    assert all(r.source == type(r.source)("rss.xml", r.source.line, "feed") for r in records)
    # new papers and cross-lists are dated by the announcement; a replacement by its first
    # version, known only to the month of its id
    assert [(r.published, r.date_approx) for r in records] == [
        (date(2025, 6, 2), False), (date(2025, 6, 2), False), (date(2025, 6, 2), False),
        (date(2016, 6, 1), True), (date(2023, 10, 1), True)]
    assert all(not r.authors_truncated and r.has_code is None and r.lang == "en" for r in records)

    new = records[0]
    assert new.title == "On Implicit Bias in Overparameterized Bilevel Optimization"
    assert displayed(new.authors) == ["Paul Vicol", "Jonathan Lorraine", "Fabian Pedregosa", "David Duvenaud",
                           "Roger Grosse"]
    assert new.categories == ["cs.LG", "stat.ML"]
    assert new.abstract.startswith("Many problems in machine learning involve bilevel optimization")

    cross = records[2]  # a math paper cross-listed to cs.LG: its primary category comes first
    assert cross.categories == ["math.OC", "cs.LG"]
    assert displayed(cross.authors)[2] == "Samuel Horváth"
    assert cross.title == ("Convergence of Clipped-SGD for Convex (L₀,L₁)-Smooth Optimization "
                           "with Heavy-Tailed Noise")

    replaced = records[3]  # the description's hard line breaks are squashed, escapes decoded
    assert replaced.abstract.startswith("We propose the Gaussian Error Linear Unit (GELU), a "
                                        "high-performing neural network activation function.")
    assert "($x\\mathbf{1}_{x>0}$)" in replaced.abstract
    assert "Announce Type" not in replaced.abstract and "\n" not in replaced.abstract

    assert records[4].categories == ["cs.CL", "cs.AI", "cs.LG", "stat.ML"]
    assert len(records[4].authors) == 19 and displayed(records[4].authors)[-1] == "Ethan Perez"

    assert list(feeds.parse(RSS.read_text(encoding="utf-8"), "rss.xml", TODAY)) == records


def test_atom_api_response():
    text = ATOM.read_text(encoding="utf-8")
    out = announcements(text, "api.xml")
    assert [kind for kind, _ in out] == ["new", "new", "new"]
    first, second, third = (r for _, r in out)
    assert (first.arxiv_id, first.version) == ("0704.0001", 2)
    assert first.title == ("Calculation of prompt diphoton production cross sections at Tevatron "
                           "and LHC energies")
    assert displayed(first.authors) == ["C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C.-P. Yuan"]
    assert first.published == date(2007, 4, 2)  # <published>, not <updated>
    assert not any(r.date_approx for _, r in out)  # the first version's date, exact
    assert first.categories == ["hep-ph"]
    assert first.abstract.startswith("A fully differential calculation") and "\n" not in first.abstract
    # primary first, then the other terms without repeats or MSC codes
    assert second.categories == ["math.OC", "cs.LG"]
    assert second.published == date(2025, 5, 27) and second.version == 1
    assert third.categories == ["cs.CL", "cs.AI", "cs.LG", "stat.ML"]
    assert third.title == "Towards Understanding Sycophancy in Language Models"
    assert (third.arxiv_id, third.version, third.published) == ("2310.13548", 2, date(2023, 10, 20))
    assert [r.venue for r in (first, second, third)] == ["Phys.Rev.D76:013009,2007", None, None], "journal_ref"
    lines = text.split("\n")
    assert all(lines[r.source.line - 1].strip() == "<entry>" for r in (first, second, third))


def test_same_paper_from_json_and_atom():
    snapshot = DATA / "arxiv-metadata-snapshot-sample.jsonl"
    from_json = next(arxiv_json.parse(snapshot.read_text(encoding="utf-8").split("\n")[0], "s", TODAY))
    _, from_atom = announcements(ATOM.read_text(encoding="utf-8"))[0]
    for field in ("title", "abstract", "authors", "categories", "published", "arxiv_id", "version", "venue"):
        assert getattr(from_json, field) == getattr(from_atom, field), field


def test_empty_feed_and_feed_info():
    empty = RSS_EMPTY.read_text(encoding="utf-8")
    assert feeds.looks_like(empty)
    assert announcements(empty) == []
    assert list(feeds.parse(empty, "empty.xml", TODAY)) == []
    info = feeds.feed_info(empty)
    assert info["entries"] == 0 and info["kind"] == "rss" and info["error"] is None
    assert info["title"] == "cs.LG updates on arXiv.org"
    assert info["published"] == date(2025, 5, 31) and info["updated"] == date(2025, 5, 31)

    info = feeds.feed_info(ATOM.read_text(encoding="utf-8"))
    assert (info["kind"], info["entries"], info["total_results"]) == ("atom", 3, 3)
    assert info["updated"] == date(2025, 6, 2)
    assert feeds.feed_info(RSS.read_text(encoding="utf-8"))["entries"] == 5

    empty_atom = ('<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
                  "  <title>ArXiv Query: search_query=cat:cs.LG</title>\n"
                  "  <updated>2025-06-01T00:00:00-04:00</updated>\n</feed>\n")
    assert announcements(empty_atom) == []
    assert feeds.feed_info(empty_atom)["entries"] == 0
    assert feeds.feed_info("not a feed")["error"]


def test_malformed_entries_among_good_ones():
    text = (RSS_HEAD
            + item("2505.00001v1")
            + item("2505.00002v1", abstract=None)
            + item("2505.00003v2", kind="replace", title=None)
            + item("2505.00004v1", date_="the second of June")
            + item("2505.00005v3", kind="replace")
            + RSS_TAIL)
    out = announcements(text, "bad.xml")
    good = [x for x in out if isinstance(x, tuple)]
    bad = [x for x in out if isinstance(x, Rejection)]
    assert [(kind, r.arxiv_id, r.version) for kind, r in good] == [
        ("new", "2505.00001", 1), ("replace", "2505.00005", 3)]
    assert displayed(good[0][1].authors) == ["Ada Lovelace", "Charles Babbage"]
    lines = text.split("\n")
    assert all(lines[x.line - 1].strip() == "<item>" for x in bad)
    assert [x.line for x in bad] == sorted(x.line for x in bad) and len(bad) == 3
    assert "no summary" in bad[0].reason
    assert "no title" in bad[1].reason
    assert "malformed date" in bad[2].reason


def test_broken_xml_keeps_what_it_can():
    text = RSS_HEAD + item("2505.00001v1") + item("2505.00002v1", title="Fish & chips <b>") + RSS_TAIL
    out = announcements(text, "broken.xml")
    assert isinstance(out[0], Rejection)
    assert out[0].path == "broken.xml" and out[0].reason.startswith("malformed feed XML")
    assert out[0].line == 19  # the line of the bare "&", as the XML parser reports it
    assert [r.arxiv_id for _, r in out[1:]][:1] == ["2505.00001"]
    assert feeds.feed_info(text)["error"]

    truncated = RSS.read_text(encoding="utf-8")[:3000]
    out = announcements(truncated)
    assert isinstance(out[0], Rejection)
    assert all(isinstance(x, (tuple, Rejection)) for x in out)


def test_api_error_entry_and_old_style_ids():
    text = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>ArXiv Query: id_list=1234.12345678</title>
  <entry>
    <id>http://arxiv.org/api/errors#incorrect_id_format_for_1234.12345678</id>
    <title>Error</title>
    <summary>incorrect id format for 1234.12345678</summary>
    <updated>2025-06-02T00:00:00-04:00</updated>
  </entry>
  <entry>
    <id>http://arxiv.org/abs/hep-th/9901001v3</id>
    <published>1999-01-04T12:00:00-05:00</published>
    <title>An old-style identifier</title>
    <summary>Short.</summary>
    <author><name>J. Doe</name></author>
    <category term="hep-th" scheme="http://arxiv.org/schemas/atom"/>
  </entry>
</feed>
"""
    error, (kind, old) = announcements(text, "api.xml")
    assert isinstance(error, Rejection) and error.line == 4
    assert "incorrect id format" in error.reason
    assert (kind, old.arxiv_id, old.version, old.published) == ("new", "hep-th/9901001", 3, date(1999, 1, 4))
    assert old.categories == ["hep-th"] and old.source.line == 10


def test_math_kept_and_old_style_markup_dropped():
    text = (RSS_HEAD
            + item("2505.00001v1", abstract="We show $a &lt;b$ and $c&gt; d$ &amp; more.")
            + item("2505.00002v1", abstract='&lt;p&gt;Old &lt;a href="http://x"&gt;style&lt;/a&gt; feed.&lt;/p&gt;',
                   title="Old style (arXiv:2505.00002v1 [cs.LG] UPDATED)")
            + RSS_TAIL)
    (_, math), (_, old) = announcements(text)
    assert math.abstract == "We show a <b and c> d & more."
    assert old.abstract == "Old style feed."
    assert old.title == "Old style"


def test_rss1_feed():
    """arXiv's former RSS 1.0 (RDF) feed: the announcement in the title, HTML in the text."""
    text = RSS1.read_text(encoding="utf-8")
    assert feeds.looks_like(text)
    out = announcements(text, "rss1.xml")
    assert all(isinstance(x, tuple) for x in out)
    assert [(kind, r.arxiv_id, r.version) for kind, r in out] == [
        ("new", "0704.1981", 1),
        ("cross", "0704.1937", 1),
        ("new", "0704.2000", 1),
        ("new", "0704.1031", 1),
        ("new", "0704.0364", 1),
        ("replace", "0704.1500", 2),
    ]
    records = [r for _, r in out]
    lines = text.split("\n")
    assert all(lines[r.source.line - 1].startswith('<item rdf:about="http://arxiv.org/abs/') for r in records)
    muon, quarks, higgs, spin, vector, neutrino = records

    # titles: no "(arXiv:… [cat])" suffix and no full stop the feed put before it; TeX converted
    assert muon.title == ("Improved Measurement of the Positive Muon Lifetime and Determination of "
                          "the Fermi Constant")
    assert spin.title.startswith("Measurements of Single and Double Spin Asymmetry in pp Elastic")
    assert vector.title == "B --> rho K* decays and other rare vector-vector modes"
    assert neutrino.title == "A Search for Electron Neutrino Appearance at the Delta m**2 ~ 1 eV**2 Scale"

    # the primary category from the title, then the feed's own for a cross-list
    assert [r.categories for r in records] == [["hep-ex"], ["hep-lat", "hep-ex"], ["hep-ex"],
                                               ["hep-ex"], ["hep-ex"], ["hep-ex"]]

    # author links unwrapped, TeX accents resolved, cut lists marked as cut
    assert displayed(muon.authors)[:3] == ["MuLan Collaboration", "D.B. Chitwood", "T.I. Banks"]
    assert len(muon.authors) == 11 and displayed(muon.authors)[-1] == "P.T. Debevec"
    assert muon.authors_truncated
    assert not any("not shown" in name or "et al" in name for r in records for name in displayed(r.authors))
    assert displayed(higgs.authors) == ["D0 Collaboration", "V. Abazov"] and higgs.authors_truncated
    assert displayed(quarks.authors)[0] == "CP-PACS/JLQCD Collaborations" and displayed(quarks.authors)[-1] == "T. Yoshié"
    assert len(quarks.authors) == 17 and not quarks.authors_truncated
    assert displayed(spin.authors)[0] == "H. Okada" and len(spin.authors) == 19

    # descriptions: the <p> markup dropped, entities escaped twice decoded, math kept
    assert spin.abstract.startswith("Precise measurements of the single spin asymmetry, $A_N$")
    assert "$0.001 < -t < 0.032 ({\\rm GeV}/c)^2$" in spin.abstract
    assert "proton-proton (pp) elastic" in spin.abstract
    assert not any("<p>" in r.abstract or "&lt;" in r.abstract or "\n" in r.abstract for r in records)
    assert "a^2~0.005" in quarks.abstract  # "about", not a tie
    assert "95% confidence level" in higgs.abstract

    # dated by the feed's day; the replacement by the month of its id, approximately
    assert [(r.published, r.date_approx) for r in records] == [(date(2007, 4, 16), False)] * 5 + [
        (date(2007, 4, 1), True)]
    info = feeds.feed_info(text)
    assert (info["kind"], info["entries"], info["updated"]) == ("rss", 6, date(2007, 4, 16))


RDF_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="http://arxiv.org/">
<title>hep-th updates on arXiv.org</title>
<link>http://arxiv.org/</link>
<dc:date>2007-03-29T20:30:00-05:00</dc:date>
</channel>
"""


def rdf_item(aid: str, suffix: str, creator: str = "&lt;a href=&quot;x&quot;&gt;J. Doe&lt;/a&gt;") -> str:
    return (f'<item rdf:about="http://arxiv.org/abs/{aid.split("v")[0]}">\n'
            f"<title>A title. (arXiv:{aid} {suffix})</title>\n"
            f"<link>http://arxiv.org/abs/{aid.split('v')[0]}</link>\n"
            '<description rdf:parseType="Literal">&lt;p&gt;An abstract.&lt;/p&gt;</description>\n'
            f"<dc:creator>{creator}</dc:creator>\n</item>\n")


def test_rss1_title_forms_and_old_style_ids():
    text = (RDF_HEAD
            + rdf_item("hep-th/9901001v3", "[hep-th UPDATED]")
            + rdf_item("hep-th/0703100v1", "[gr-qc] CROSS LISTED")
            + rdf_item("hep-ph/0611001v2", "[hep-ph] CROSS LISTED UPDATED")
            + rdf_item("2501.01234v1", "[hep-ex] UPDATED")
            + rdf_item("hep-th/0703200v1", "[hep-th]",
                       creator="&lt;a href=&quot;x&quot;&gt;A. Author&lt;/a&gt;, "
                               "(12 additional authors not shown)")
            + "</rdf:RDF>\n")
    out = announcements(text)
    assert [(kind, r.arxiv_id, r.version, r.categories, r.published, r.date_approx) for kind, r in out] == [
        ("replace", "hep-th/9901001", 3, ["hep-th"], date(1999, 1, 1), True),
        ("cross", "hep-th/0703100", 1, ["gr-qc", "hep-th"], date(2007, 3, 29), False),
        ("replace-cross", "hep-ph/0611001", 2, ["hep-ph", "hep-th"], date(2006, 11, 1), True),
        ("replace", "2501.01234", 1, ["hep-ex", "hep-th"], date(2025, 1, 1), True),
        ("new", "hep-th/0703200", 1, ["hep-th"], date(2007, 3, 29), False),
    ]
    assert all(r.title == "A title" and r.abstract == "An abstract." for _, r in out)
    last = out[-1][1]
    assert displayed(last.authors) == ["A. Author"] and last.authors_truncated


def test_replacements_are_dated_by_their_first_version():
    text = (RSS_HEAD
            + item("2401.00867v3", kind="replace-cross", date_="Mon, 28 Apr 2025 00:00:00 -0400")
            + item("2504.00001v1", kind="new", date_="Mon, 28 Apr 2025 00:00:00 -0400")
            + item("2503.00002v1", kind="cross", date_="Mon, 28 Apr 2025 00:00:00 -0400")
            + item("2412.00003v2", kind="replace", date_="Mon, 28 Apr 2025 00:00:00 -0400")
            + RSS_TAIL)
    assert [(kind, r.published, r.date_approx) for kind, r in announcements(text)] == [
        ("replace-cross", date(2024, 1, 1), True),
        ("new", date(2025, 4, 28), False),
        ("cross", date(2025, 4, 28), False),
        ("replace", date(2024, 12, 1), True),
    ]


def test_entities_and_tex_in_rss_items():
    text = (RSS_HEAD
            + item("2505.00001v1", title="Erd\\H{o}s--R\\'enyi graphs &amp;amp; {GPU}s",
                   abstract="We study \\emph{random} graphs of size $O(n^2)$ &amp;amp; more~\\cite{x}.",
                   authors="P. Erd\\H{o}s, A. R\\'enyi, J. O&amp;#39;Brien")
            + RSS_TAIL)
    [(_, record)] = announcements(text)
    assert record.title == "Erdős–Rényi graphs & GPUs"
    assert record.abstract == "We study random graphs of size O(n²) & more \\cite{x}."
    assert displayed(record.authors) == ["P. Erdős", "A. Rényi", "J. O'Brien"]


def test_an_over_long_entry_is_rejected_and_the_others_kept():
    text = (RSS_HEAD + item("2505.00001v1")
            + item("2505.00002v1", title="Long " * (MAX_TITLE_CHARS // 4))
            + item("2505.00003v1") + RSS_TAIL)
    for out in (announcements(text, "long.xml"), list(parse_text(text, "long.xml", TODAY)[1])):
        assert [type(x) for x in out] == [tuple, Rejection, tuple] or [type(x) for x in out] == [
            Record, Rejection, Record]
        rejection = out[1]
        assert text.split("\n")[rejection.line - 1].strip() == "<item>"
        assert rejection.reason == "title is 1,249 characters long (at most 1,000)"


def test_announce_type_from_description_when_element_missing():
    text = RSS_HEAD + item("2505.00007v2", kind="replace-cross").replace(
        "      <arxiv:announce_type>replace-cross</arxiv:announce_type>\n", "") + RSS_TAIL
    [(kind, record)] = announcements(text)
    assert kind == "replace-cross" and record.version == 2


def test_detection():
    for sample in (ATOM, RSS, RSS_EMPTY, RSS1):
        text = sample.read_text(encoding="utf-8")
        assert feeds.looks_like(text)
        assert not table.looks_like(text) and not arxiv_json.looks_like(text)
    assert feeds.looks_like('\ufeff<!-- saved by hand -->\n<rdf:RDF xmlns:rdf="x"></rdf:RDF>')
    for other in (DATA / "arxiv-metadata-snapshot-sample.jsonl", DATA / "arxiv-ml-sample.csv",
                  DATA / "arxiv-math-2025-05.csv", *sorted((ROOT / "seeds").glob("*.txt"))):
        assert not feeds.looks_like(other.read_text(encoding="utf-8")), other
    assert not feeds.looks_like("<html><body>rss feed</body></html>")
    assert not feeds.looks_like("Towards <feed> understanding, a title\n")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(
    st.text(),
    st.text().map(lambda t: RSS_HEAD + item(title=t) + RSS_TAIL),
    st.text().map(lambda t: RSS_HEAD + t + RSS_TAIL),
    st.text().map(lambda t: "http://example.invalid/" + t),  # must never be fetched
))
def test_never_raises(text):
    feeds.looks_like(text)
    feeds.feed_info(text)
    for item_ in feeds.parse_announcements(text, "fuzz", TODAY):
        assert isinstance(item_, Rejection) or (
            isinstance(item_, tuple) and item_[0] in feeds.ANNOUNCE_TYPES and isinstance(item_[1], Record))
    for record in feeds.parse(text, "fuzz", TODAY):
        assert isinstance(record, (Record, Rejection))
