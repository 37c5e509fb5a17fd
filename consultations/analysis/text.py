"""Dutch text normalisation for the analysis: words, stop words, stems and compound parts.

Everything here is offline and deterministic: the same text always gives the same terms.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import snowballstemmer

#: Dutch function words and words every consultation reaction uses, which say nothing about a theme.
STOP_WORDS = frozenset("""
aan achter af al alle alles als alsof altijd ander andere anders ben bent bij bijvoorbeeld binnen
boven dan dat de deze die dit doch doen door dus een eens eigen elk elke en enige er erg ergens
even ga gaan gaat gedaan geen geweest graag had hadden heb hebben hebt heeft hem hen het hier hij
hoe hoewel hun ik in is ja je jij jou jouw juist kan kon konden kunnen krijgen laat laten liever
maar me meer men met mij mijn moet moeten na naar natuurlijk nee niet niets nog nu of om omdat
ons onze ook op over per pas steeds te tegen ten ter toch toe tot u uit uw van veel voor vooral
waar waarom wanneer want waren was wat we wel welk welke werd werden wie wij wil willen wilt
word worden wordt zal zeer zelf zich zie zij zijn zo zoals zodat zonder zou zouden zullen
daar daarom daarbij daarin daarmee daarnaast daarvoor hierbij hiervoor hierin iets iemand
mogen mag minder meest moeten vinden vindt vind vinden denken denkt vraag vragen vragen graag
goed goede beter wel weer erin erop eraan ervan ermee eerst eerste tweede nieuwe nieuw
gemeente gemeenten regio concept inkoopkader inkoopstrategie stuk voorstel punt punten wij onze
""".split())

_WORD = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")
#: Linking sounds between the parts of a Dutch compound (zorg-s-aanbieder, jongere-n-werk).
_LINKS = ("", "s", "en", "e", "n")
#: The shortest part a compound is split into; shorter parts make false splits.
MIN_PART = 4

_stemmer = snowballstemmer.stemmer("dutch")


def fold(text: str) -> str:
    """Lower-case the text and strip accents (cliëntenraad → clientenraad)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """Return the words of a text, folded, hyphenated words split, without stop words and numbers."""
    found = []
    for word in _WORD.findall(fold(text)):
        for part in word.replace("'", "").split("-"):
            if len(part) > 2 and not part.isdigit() and part not in STOP_WORDS:
                found.append(part)
    return found


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Return the Dutch Snowball stem of a folded word."""
    return _stemmer.stemWord(word)


class Vocabulary:
    """The words of a collection, used to split compounds into parts that occur on their own."""

    def __init__(self, texts: Iterable[str]):
        self.known: set[str] = set()
        for text in texts:
            self.known.update(words(text))
        self._cache: dict[str, tuple[str, ...]] = {}

    def split(self, word: str) -> tuple[str, ...]:
        """Return the parts of a compound whose head and tail are both known words, else the word."""
        if word in self._cache:
            return self._cache[word]
        parts: tuple[str, ...] = (word,)
        best = 0
        # Prefer the split with the longest head: "jeugdhulpaanbieder" → "jeugdhulp" + "aanbieder".
        for cut in range(len(word) - MIN_PART, MIN_PART - 1, -1):
            head, rest = word[:cut], word[cut:]
            if head not in self.known:
                continue
            for link in _LINKS:
                if not rest.startswith(link):
                    continue
                tail = rest[len(link):]
                if len(tail) >= MIN_PART and (tail in self.known or stem(tail) in self.known):
                    if cut > best:
                        best = cut
                        parts = (head, tail)
            if best:
                break
        self._cache[word] = parts
        return parts


def terms(text: str, vocabulary: Vocabulary | None = None) -> list[str]:
    """Return the stems of a text's words, each compound adding the stems of its parts."""
    result = []
    for word in words(text):
        result.append(stem(word))
        if vocabulary is not None:
            parts = vocabulary.split(word)
            if len(parts) > 1:
                result.extend(stem(part) for part in parts if part not in STOP_WORDS)
    return result


def surface_forms(texts: Iterable[str]) -> dict[str, str]:
    """Return for each stem the word that most often produced it, to label terms readably."""
    counts: dict[str, dict[str, int]] = {}
    for text in texts:
        for word in words(text):
            forms = counts.setdefault(stem(word), {})
            forms[word] = forms.get(word, 0) + 1
    return {key: min(forms, key=lambda w: (-forms[w], len(w), w)) for key, forms in counts.items()}
