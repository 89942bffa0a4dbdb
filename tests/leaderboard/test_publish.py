"""`ssvzoo leaderboard publish`: the site's rows equal the CLI's, links, plots, atomic swap."""

import json
from html.parser import HTMLParser

import pytest

from ssvzoo.cli import main
from ssvzoo.errors import ConfigError
from ssvzoo.leaderboard.plots import make_plots, recall_k, reported_reproduced_pairs
from ssvzoo.leaderboard.publish import publish
from ssvzoo.leaderboard.table import leaderboard_rows, load_reported, load_rows, record_rows


class _Rows(HTMLParser):
    """Collects each table's `data-key`s and every link target of the page."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[str]] = {}
        self.links: list[str] = []
        self._table = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self._table = a["id"]
            self.tables[self._table] = []
        elif tag == "tr" and "data-key" in a:
            self.tables[self._table].append(a["data-key"])
        elif tag in ("a", "img"):
            self.links.append(a.get("href") or a.get("src"))


def _publish(runs_dir, out, capsys, *extra):
    assert main(["leaderboard", "publish", "--out", str(out), "--runs", str(runs_dir), *extra]) == 0
    assert "index.html" in capsys.readouterr().out
    return out


@pytest.fixture
def site(runs_dir, tmp_path, capsys):
    return _publish(runs_dir, tmp_path / "site", capsys, "--no-plots")


def test_page_rows_equal_cli_rows(site, runs_dir, capsys):
    assert main(["leaderboard", "--runs", str(runs_dir), "--format", "json"]) == 0
    cli_rows = json.loads(capsys.readouterr().out)
    data = json.loads((site / "data.json").read_text())
    assert data["rows"] == cli_rows
    page = _Rows()
    page.feed((site / "index.html").read_text())
    assert [k for keys in page.tables.values() for k in keys] == [r["key"] for r in cli_rows]
    assert "t-synthactions-retrieval" in page.tables and "t-ucf101-finetune" in page.tables
    assert len(page.tables["t-synthactions-retrieval"]) == 12
    # and the table function gives the same rows again
    assert [r.key for r in leaderboard_rows(load_rows([runs_dir], warn=print))] == \
        [r["key"] for r in cli_rows]


def test_links_records_cards_and_papers(site):
    page = _Rows()
    page.feed((site / "index.html").read_text())
    assert {"records/a.json", "records/b.json", "records/c.json"} <= set(page.links)
    assert "https://huggingface.co/ssvzoo/rspnet-tiny" in page.links
    assert "https://arxiv.org/abs/2401.07584" in page.links
    for link in page.links:
        if not link.startswith("https://"):
            assert (site / link).is_file(), link
    copied = json.loads((site / "records/a.json").read_text())
    assert copied["schema"] == "ssvzoo.result/1"
    assert "http://" not in (site / "index.html").read_text()  # nothing loaded from the network


def test_plots_written_png_and_svg(runs_dir, tmp_path, capsys):
    site = _publish(runs_dir, tmp_path / "site", capsys)
    page = _Rows()
    page.feed((site / "index.html").read_text())
    assert "plots/recall_curves.png" in page.links and "plots/recall_curves.svg" in page.links
    names = sorted(p.name for p in (site / "plots").iterdir())
    assert names == sorted(f"{s}.{e}" for s in ("accuracy_vs_cost", "recall_curves",
                                                 "reported_vs_reproduced") for e in ("png", "svg"))
    assert all((site / "plots" / n).stat().st_size > 1000 for n in names)
    assert (site / "plots/accuracy_vs_cost.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # no pairs (SynthActions vs papers' UCF101): the plot says so instead of being blank
    assert "no reported/reproduced pairs yet" in (site / "plots/reported_vs_reproduced.svg").read_text()


def test_reported_vs_reproduced_pairs(record_factory, tmp_path):
    rec = record_factory(dataset="UCF101", protocol="finetune", method="CSVR", backbone="r3d_18",
                         metrics={"top1": 80.0})
    rows = load_reported() + record_rows(rec, "r.json")
    pairs = reported_reproduced_pairs(rows)
    assert [(p.value, q.value) for p, q in pairs] == [(94.5, 80.0)]
    svg = [p for p in make_plots(rows, tmp_path) if p.name == "reported_vs_reproduced.svg"][0]
    assert "no reported/reproduced pairs" not in svg.read_text()
    assert recall_k("R@20") == 20 and recall_k("top1") is None


def test_publish_replaces_its_own_site_but_not_other_folders(tmp_path, record_factory):
    rows = leaderboard_rows(record_rows(record_factory(), "unused.json"))
    rows = [r.__class__(**{**r.__dict__, "record": ""}) for r in rows]
    out = tmp_path / "site"
    publish(rows, out, plots=False)
    (out / "stale.txt").write_text("old")
    publish(rows, out, plots=False)
    assert not (out / "stale.txt").exists() and (out / "index.html").is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["site"]  # no temp folders left behind
    other = tmp_path / "mine"
    other.mkdir()
    (other / "thesis.tex").write_text("x")
    with pytest.raises(ConfigError):
        publish(rows, other, plots=False)
    assert (other / "thesis.tex").read_text() == "x"
