"""Build the real-text sets of `language_bench.py` into a cache outside the repository.

Two sets, one text a line (`lang<TAB>origin<TAB>text`), written to `$NEWSFLOW_LANGDATA`
(default `~/.cache/newsflow/language/`):

- `sentences.tsv`: single sentences under 60 characters, the `# text = ` lines of the
  test and dev files of Universal Dependencies treebanks (one treebank a language, see
  `TREEBANKS`; real sentences, open licences, labelled by the treebank's language). The
  first `PER_LANGUAGE` distinct ones of each language, in file order (test, then dev).
- `paragraphs.tsv`: consecutive sentences of the same treebanks joined into texts of 400 to
  800 characters, 30 a language: long text, where langdetect's answer is kept.
- `titles.tsv`: the `<title>` and `og:title` (site name cut off) of the real pages of
  `../shared/datasets/realpages`. The label is the page's declared language (`<html lang>`,
  else `og:locale`, else `Content-Language`) and is kept only when langdetect on the page's
  own paragraphs (at least `MIN_BODY_LETTERS` letters of long text, where it is reliable)
  names the same language: a CMS default `lang="en"` on a German page is not a label. A
  title is kept only when it has one of the language's `VOCABULARY` most common words in
  its treebank (and, but for English, not a common English word): a brand name or an
  English headline on a German page is in no language, or not in the page's.

Where the treebanks come from: each `UniversalDependencies/UD_<Language>-<Treebank>`
repository on GitHub, as a git directory (a bare clone, or the search tool's mirror at
`/work/.mirror/UniversalDependencies+UD_<...>/repo`); pass its parent with `--mirrors`
(default `$NEWSFLOW_UD_MIRRORS`, else `/work/.mirror`). Files are read with `git show`,
nothing is copied into the repository. To get one by hand:
`git clone --bare --depth 1 https://github.com/UniversalDependencies/UD_Czech-PDT
<mirrors>/UniversalDependencies+UD_Czech-PDT/repo`.

Run: `python benchmarks/language_data.py` (seconds); a treebank that is absent is reported
and skipped.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import lxml.html

REPO_ROOT = Path(__file__).resolve().parent.parent
REALPAGES = REPO_ROOT.parent / "shared" / "datasets" / "realpages"
CACHE = Path(os.environ.get("NEWSFLOW_LANGDATA", Path.home() / ".cache" / "newsflow" / "language"))
MIRRORS = Path(os.environ.get("NEWSFLOW_UD_MIRRORS", "/work/.mirror"))
PER_LANGUAGE = 200
MAX_CHARS = 60
MIN_BODY_LETTERS = 400
VOCABULARY = 300
PARAGRAPH_CHARS = 400
PER_PARAGRAPHS = 30
PARAGRAPH_ROWS: list[tuple[str, str, str]] = []
MIN_SENTENCE_LETTERS = 3  # "2012-03-16" and "(ES)" are treebank lines, not sentences

# Serbian is left out: its one treebank (UD_Serbian-SET) is in Latin script, and no detector here has
# a model of Latin Serbian (lingua's is Cyrillic; langdetect has none): every answer would be hr or bs.
# ISO 639-1 -> UD repositories, in order (a mirror lacks files of 4 MiB and more: the next one fills in)
TREEBANKS = {
    "af": "UD_Afrikaans-AfriBooms",
    "ar": "UD_Arabic-PADT UD_Arabic-PUD",
    "bg": "UD_Bulgarian-BTB",
    "cs": "UD_Czech-PDT UD_Czech-FicTree UD_Czech-PUD",
    "cy": "UD_Welsh-CCG",
    "da": "UD_Danish-DDT",
    "de": "UD_German-GSD",
    "el": "UD_Greek-GDT",
    "en": "UD_English-EWT",
    "es": "UD_Spanish-GSD",
    "et": "UD_Estonian-EDT",
    "eu": "UD_Basque-BDT",
    "fa": "UD_Persian-Seraji",
    "fi": "UD_Finnish-TDT",
    "fr": "UD_French-GSD",
    "he": "UD_Hebrew-HTB",
    "hi": "UD_Hindi-HDTB UD_Hindi-PUD",
    "ga": "UD_Irish-IDT",
    "hr": "UD_Croatian-SET",
    "hu": "UD_Hungarian-Szeged",
    "hy": "UD_Armenian-ArmTDP",
    "id": "UD_Indonesian-GSD",
    "is": "UD_Icelandic-Modern",
    "it": "UD_Italian-ISDT",
    "ja": "UD_Japanese-GSD",
    "ko": "UD_Korean-GSD",
    "lt": "UD_Lithuanian-ALKSNIS",
    "lv": "UD_Latvian-LVTB",
    "nl": "UD_Dutch-Alpino",
    "no": "UD_Norwegian-Bokmaal",
    "pl": "UD_Polish-PDB",
    "pt": "UD_Portuguese-Bosque",
    "ro": "UD_Romanian-RRT",
    "ru": "UD_Russian-GSD",
    "sk": "UD_Slovak-SNK",
    "sl": "UD_Slovenian-SSJ",
    "sv": "UD_Swedish-Talbanken",
    "ta": "UD_Tamil-TTB",
    "th": "UD_Thai-PUD",
    "tr": "UD_Turkish-IMST",
    "uk": "UD_Ukrainian-IU",
    "ur": "UD_Urdu-UDTB",
    "vi": "UD_Vietnamese-VTB",
    "zh": "UD_Chinese-GSD",
}


def _git(git_dir: Path, *args: str) -> str:
    """git's output ("" when the object is absent: a mirror lacks files of 4 MiB and more)."""
    done = subprocess.run(["git", "--git-dir", str(git_dir), *args], capture_output=True, text=True)
    return done.stdout if done.returncode == 0 else ""


def treebank_texts(git_dir: Path) -> list[str]:
    """Every `# text = ` sentence of the treebank: test file, dev, then train."""
    files = _git(git_dir, "ls-tree", "--name-only", "HEAD").split()
    ordered = [f for part in ("test", "dev", "train") for f in sorted(files) if f.endswith(f"-{part}.conllu")]
    texts = []
    for name in ordered:
        for line in _git(git_dir, "show", f"HEAD:{name}").splitlines():
            if line.startswith("# text = "):
                texts.append(" ".join(line[len("# text = ") :].split()))
    return texts


def short_sentences(texts: list[str]) -> list[str]:
    """Distinct sentences under MAX_CHARS characters with at least MIN_SENTENCE_LETTERS letters."""
    ok = (t for t in texts if len(t) < MAX_CHARS and sum(ch.isalpha() for ch in t) >= MIN_SENTENCE_LETTERS)
    return list(dict.fromkeys(ok))


_WORD = re.compile(r"[^\W\d_]+")


def common_words(texts: list[str]) -> set[str]:
    """The language's `VOCABULARY` most frequent words (lower case), from all its treebank sentences."""
    counts = Counter(w.lower() for t in texts for w in _WORD.findall(t))
    return {w for w, _ in counts.most_common(VOCABULARY)}


def paragraphs(texts: list[str]) -> list[str]:
    """Consecutive sentences joined into texts of PARAGRAPH_CHARS characters or more (PER_PARAGRAPHS)."""
    found, current = [], ""
    for text in texts:
        current = f"{current} {text}".strip()
        if len(current) >= PARAGRAPH_CHARS:
            found.append(current[: 2 * PARAGRAPH_CHARS])
            current = ""
            if len(found) == PER_PARAGRAPHS:
                break
    return found


def build_sentences(mirrors: Path) -> tuple[list[tuple[str, str, str]], dict[str, set[str]]]:
    """The sentence rows, and each language's common words (to check the titles' labels)."""
    rows = []
    PARAGRAPH_ROWS.clear()
    vocabulary: dict[str, set[str]] = {}
    for lang, repos in sorted(TREEBANKS.items()):
        found: dict[str, str] = {}
        texts: list[str] = []
        for repo in repos.split():
            git_dir = mirrors / f"UniversalDependencies+{repo}" / "repo"
            if not git_dir.is_dir():
                print(f"  {lang}: {repo} absent under {mirrors}, skipped", file=sys.stderr)
                continue
            texts += (repo_texts := treebank_texts(git_dir))
            for sentence in short_sentences(repo_texts):
                found.setdefault(sentence, repo)
        vocabulary[lang] = common_words(texts)
        PARAGRAPH_ROWS.extend((lang, "paragraph", p) for p in paragraphs(texts))
        sentences = list(found.items())[:PER_LANGUAGE]
        rows += [(lang, repo, s) for s, repo in sentences]
        print(
            f"  {lang}: {len(sentences)} sentences from {' '.join(sorted({r for _, r in sentences}))}",
            file=sys.stderr,
        )
    return rows, vocabulary


def declared_language(tree: lxml.html.HtmlElement) -> str:
    """The page's declared language, primary subtag, lower case ("" when silent or malformed)."""
    root = tree.getroottree().getroot()
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang") or ""
    lang = lang or " ".join(tree.xpath("//meta[@property='og:locale']/@content")[:1])
    lang = lang or " ".join(tree.xpath("//meta[@http-equiv='Content-Language']/@content")[:1])
    code = re.split(r"[-_,\s]", lang.strip().lower() + " ", maxsplit=1)[0]
    return code if re.fullmatch(r"[a-z]{2,3}", code) else ""


def body_language(tree: lxml.html.HtmlElement) -> str:
    """langdetect on the page's paragraphs when they are long text ("" when too short)."""
    from langdetect import DetectorFactory, detect
    from langdetect.lang_detect_exception import LangDetectException

    text = " ".join(" ".join(p.text_content().split()) for p in tree.iter("p"))[:3000]
    if sum(ch.isalpha() for ch in text) < MIN_BODY_LETTERS:
        return ""
    DetectorFactory.seed = 0
    try:
        return detect(text).split("-")[0]
    except LangDetectException:
        return ""


_SITE_SEPARATOR = re.compile(r"\s+(?:[|·•»«:/\\]+|[-–—]+|::)\s+")


def headline(title: str) -> str:
    """The title without the site name: its longest part between separators ("Headline | Site")."""
    parts = [" ".join(p.split()) for p in _SITE_SEPARATOR.split(title)]
    return max(parts, key=len) if parts else ""


def page_titles(tree: lxml.html.HtmlElement) -> list[str]:
    """The page's <title> and og:title, each without its site name, distinct."""
    found = [t.text_content() for t in tree.iter("title")][:1]
    found += [str(v) for v in tree.xpath("//meta[@property='og:title']/@content")][:1]
    return list(dict.fromkeys(h for h in (headline(t) for t in found) if h))


_ALIASES = {"nb": "no", "nn": "no", "iw": "he", "in": "id"}


def in_language(title: str, lang: str, vocabulary: dict[str, set[str]]) -> bool:
    """The title has a common word of `lang` that is not a common English word (an English one for en).

    A brand or a name ("Beringer Zinfandel Rose Stone Cellars" on a German shop) is in no language;
    languages written without spaces, or without a treebank here, are not checked.
    """
    if lang not in vocabulary or lang in ("ja", "zh", "th"):
        return True
    common = vocabulary[lang] - (vocabulary.get("en", set()) if lang != "en" else set())
    return any(w.lower() in common for w in _WORD.findall(title))


def build_titles(realpages: Path, vocabulary: dict[str, set[str]]) -> list[tuple[str, str, str]]:
    rows = []
    kept = dropped = unsure = 0
    for line in (realpages / "index.jsonl").read_text(encoding="utf-8").splitlines():
        page = json.loads(line)
        raw = gzip.decompress((realpages / page["page"]).read_bytes())
        try:
            tree = lxml.html.document_fromstring(raw)
        except (ValueError, lxml.etree.ParserError):
            continue
        declared = _ALIASES.get(declared_language(tree), declared_language(tree))
        if not declared:
            continue
        if body_language(tree) != declared:
            dropped += 1
            continue
        kept += 1
        titles = page_titles(tree)
        rows += [(declared, page["page"], t) for t in titles if in_language(t, declared, vocabulary)]
        unsure += sum(not in_language(t, declared, vocabulary) for t in titles)
    print(
        f"  titles: {len(rows)} from {kept} pages whose body confirms the declared language"
        f" ({dropped} pages dropped: body too short or in another language; {unsure} titles without"
        " a common word of the language dropped)",
        file=sys.stderr,
    )
    return rows


def write(path: Path, rows: list[tuple[str, str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{lang}\t{origin}\t{text}\n" for lang, origin, text in rows), encoding="utf-8")
    print(f"wrote {len(rows)} rows to {path}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirrors", type=Path, default=MIRRORS)
    parser.add_argument("--realpages", type=Path, default=REALPAGES)
    parser.add_argument("--out", type=Path, default=CACHE)
    args = parser.parse_args()
    sentences, vocabulary = build_sentences(args.mirrors)
    write(args.out / "sentences.tsv", sentences)
    write(args.out / "paragraphs.tsv", PARAGRAPH_ROWS)
    write(args.out / "titles.tsv", build_titles(args.realpages, vocabulary))


if __name__ == "__main__":
    main()
