"""
A synthetic archive, many times the size of the real one, for performance work.

The real archive is a few meetings; the site must stay fast with a thousand
times more. This module writes such an archive (committees, meetings,
themes and recommendations, in French and in English) as plain dataclasses.
It knows nothing of the database: the ``generate_corpus`` command loads what
it writes.

The text is not random letters. It comes from word-level Markov chains
trained, for each language separately, on the real archive's own text:
recommendation sentences, theme titles, meeting titles and objectives each
have their chain. Every word is a word of the archive, and sentences start
and end the way real ones do. A chain mostly follows two words of context,
which recombines real clauses; now and then it follows one word only, which
joins two real sentences at a word they share, so the corpus does not simply
repeat the archive.

Word frequencies look like those of real text. Each meeting is about a
*topic*: its recommendations are written from a subset of the real
sentences, those the topic includes. Some sentences are in almost every
topic, most in few, and some topics are much more popular than others
(Zipf's law), so common words ("services" is in about two recommendations
in five) stay common while the words of a rarely chosen sentence become
rare: the long tail that a large archive has. French and English sentences
are paired as in the real archive (one English sentence per French one), so
a topic covers the same ground in both languages.

The same seed always gives the same corpus: every draw comes from a
``random.Random`` seeded here, never from the global generator.
"""

import datetime
import itertools
import math
import random
import re
from dataclasses import dataclass, field
from functools import cached_property

from meetings.slugs import make_slug

LANGUAGES = ("fr", "en")

# How often a chain forgets the older of its two words of context.
SENTENCE_BACKOFF = 0.15
TITLE_BACKOFF = 0.35

# Topics: how many, and how many real sentences each includes. The sentence
# of rank r (in an order drawn from the seed) is in a topic with probability
# min(1, (TOPIC_CORE / (r + 1)) ** 2): the first thirty are in every topic, the
# last in about one topic in forty. With a thousand topics, the rarest words
# of a million recommendations are in about a hundred of them.
TOPICS = 1000
TOPIC_CORE = 30

FIRST_YEAR, YEARS = 2005, 20
THEMES_PER_MEETING = (4, 6)
RECOMMENDATIONS_PER_THEME = (3, 6)
# Enough committees that each meets about once a month over the twenty years.
RECOMMENDATIONS_PER_COMMITTEE = 5000
MIN_COMMITTEES = 24
UNPUBLISHED_SHARE = 0.01

MAX_TITLE_LENGTH = 300  # Meeting.title and Theme.title
MAX_SENTENCE_TOKENS = 90
MIN_SENTENCE_TOKENS = 4
ATTEMPTS = 20

# A sentence ends at . ? or !, perhaps inside a closing quote or parenthesis,
# before a capital, an opening quote or parenthesis.
_SENTENCE_END = re.compile(r'(?<=[.?!])(?:[»")]?)\s+(?=[A-ZÀ-ÖØ-Þ«"(])')
_BRACKETS = (("(", ")"), ("«", "»"))


# What a corpus is made of. Texts are named by language, like the models'
# ``_fr`` and ``_en`` columns.


@dataclass(frozen=True, slots=True)
class SyntheticCommittee:
    code: str
    name_fr: str
    name_en: str
    acronym_fr: str
    acronym_en: str
    department_fr: str
    department_en: str
    disclaimer_fr: str
    disclaimer_en: str
    original_language: str


@dataclass(slots=True)
class SyntheticRecommendation:
    position: int
    text_fr: str
    text_en: str


@dataclass(slots=True)
class SyntheticTheme:
    position: int
    title_fr: str
    title_en: str
    recommendations: list = field(default_factory=list)


@dataclass(slots=True)
class SyntheticMeeting:
    committee: int  # an index into the corpus's committees
    date: datetime.date
    title_fr: str
    title_en: str
    objective_fr: str
    objective_en: str
    slug_fr: str
    slug_en: str
    is_published: bool
    modified_at: datetime.datetime
    themes: list = field(default_factory=list)

    @property
    def recommendation_count(self):
        return sum(len(theme.recommendations) for theme in self.themes)


# The text model.


def tokens(text):
    """Words with their punctuation attached, split at ordinary spaces only.

    A no-break space (before a French colon, inside « ») stays inside its
    token, so the typography survives recombination.
    """
    return [token for token in text.split(" ") if token]


def sentences(text):
    return [s for s in _SENTENCE_END.split(text) if s.strip()]


class MarkovChain:
    """A word-level chain over the sentences (or titles) of one kind of text, in one language.

    Tokens are numbered, 0 marking the start and the end of a sentence. Each
    context maps to the tokens that followed it in the real text, repeated as
    often as they did, so that one draw picks a successor with its real
    probability. Every context reached while drawing was seen in the real
    text, so it always has a successor.
    """

    def __init__(self, texts, backoff):
        texts = [text for text in texts if tokens(text)]
        if not texts:
            raise ValueError("a chain needs some text to learn from")
        self.backoff = backoff
        self.first = texts[0]
        numbers = {}
        pairs, singles = {}, {}
        for text in texts:
            sequence = [0, 0, *(numbers.setdefault(t, len(numbers) + 1) for t in tokens(text)), 0]
            for i in range(2, len(sequence)):
                pairs.setdefault((sequence[i - 2], sequence[i - 1]), []).append(sequence[i])
                if i > 2:
                    singles.setdefault(sequence[i - 1], []).append(sequence[i])
        self.words = ["", *numbers]
        self.size = size = len(self.words)
        self.pairs = {a * size + b: tuple(following) for (a, b), following in pairs.items()}
        self.singles = {b: tuple(following) for b, following in singles.items()}

    def draw(self, rng, max_tokens=MAX_SENTENCE_TOKENS):
        """One sentence's token numbers, or None if it runs past ``max_tokens``."""
        random, pairs, singles, size, backoff = rng.random, self.pairs, self.singles, self.size, self.backoff
        a = b = 0
        out = []
        while True:
            following = singles[b] if b and random() < backoff else pairs[a * size + b]
            token = following[int(random() * len(following))]
            if not token:
                return out
            out.append(token)
            if len(out) > max_tokens:
                return None
            a, b = b, token

    def sentence(self, rng, min_tokens=1, max_length=None):
        """A sentence in the style of the real text, its brackets and quotes balanced."""
        words = self.words
        for _attempt in range(ATTEMPTS):
            ids = self.draw(rng)
            if ids is None or len(ids) < min_tokens:
                continue
            text = " ".join([words[i] for i in ids])
            if _balanced(text) and (max_length is None or len(text) <= max_length):
                return text
        # Seldom reached: a real sentence always fits.
        return self.first


def _balanced(text):
    return text.count('"') % 2 == 0 and all(text.count(a) == text.count(b) for a, b in _BRACKETS)


@dataclass
class ArchiveStyle:
    """What the real archive teaches: its sentences, its chains, its shapes."""

    # Real recommendation sentences, paired: [(French, English)], in source order.
    sentence_pairs: list
    # {language: {"theme_title": chain, "meeting_title": chain, "objective": chain}}
    chains: dict
    # How many sentences real recommendations and objectives have, one entry each.
    sentence_counts: list
    objective_sentence_counts: list
    committee: dict
    # The real themes' titles, paired: [(French, English)].
    theme_titles: list

    @cached_property
    def vocabulary(self):
        """Every word of the text the chains learn from, lower case, per language."""
        from meetings.search.text import words

        vocabulary = {}
        for index, language in enumerate(LANGUAGES):
            texts = [pair[index] for pair in self.sentence_pairs]
            texts += [t for chain in self.chains[language].values() for t in chain.words]
            vocabulary[language] = {word.lower() for text in texts for word in words(text)}
        return vocabulary


def _paired_sentences(french, english):
    """Pair the sentences of a text and its translation; unpaired texts stay whole."""
    fr, en = sentences(french), sentences(english)
    if len(fr) == len(en):
        return list(zip(fr, en, strict=True))
    return [(french, english)]


def learn_style(records):
    """Learn from the archive's fixture records (the contents of ``fixtures/archive.json``)."""
    by_model = {}
    for record in records:
        by_model.setdefault(record["model"], []).append(record["fields"])
    recommendations = by_model.get("meetings.recommendation", [])
    themes = by_model.get("meetings.theme", [])
    meetings = by_model.get("meetings.meeting", [])
    committees = by_model.get("meetings.committee", [])
    if not (recommendations and themes and meetings and committees):
        raise ValueError("the archive must hold committees, meetings, themes and recommendations")

    chains = {}
    for language in LANGUAGES:
        theme_titles = [fields[f"title_{language}"] for fields in themes]
        objectives = [s for fields in meetings for s in sentences(fields[f"objective_{language}"])]
        chains[language] = {
            "theme_title": MarkovChain(theme_titles, TITLE_BACKOFF),
            # Meeting titles are few: they learn from theme titles too.
            "meeting_title": MarkovChain(
                [fields[f"title_{language}"] for fields in meetings] + theme_titles, TITLE_BACKOFF
            ),
            "objective": MarkovChain(objectives, TITLE_BACKOFF),
        }
    return ArchiveStyle(
        sentence_pairs=[
            pair
            for fields in recommendations
            for pair in _paired_sentences(fields["text_fr"], fields["text_en"])
        ],
        chains=chains,
        sentence_counts=[len(sentences(fields["text_fr"])) for fields in recommendations],
        objective_sentence_counts=[len(sentences(fields["objective_fr"])) for fields in meetings],
        committee=committees[0],
        theme_titles=[(fields["title_fr"], fields["title_en"]) for fields in themes],
    )


class Topics:
    """What meetings talk about: subsets of the real sentences, some far more popular than others."""

    def __init__(self, style, seed, count=TOPICS, core=TOPIC_CORE):
        rng = random.Random(f"topics:{seed}")
        pairs = style.sentence_pairs
        ranks = list(range(len(pairs)))
        rng.shuffle(ranks)
        self.members = []
        for _topic in range(count):
            members = [i for i in range(len(pairs)) if rng.random() < (core / (ranks[i] + 1)) ** 2]
            self.members.append(members or [ranks.index(0)])
        self.pairs = pairs
        # Zipf's law: the topic of rank k is chosen in proportion to 1 / (k + 1).
        self.cumulative = list(itertools.accumulate(1 / (k + 1) for k in range(count)))
        self.chains = {}

    def choose(self, rng):
        return rng.choices(range(len(self.members)), cum_weights=self.cumulative)[0]

    def chain(self, topic, language):
        key = (topic, language)
        if key not in self.chains:
            index = LANGUAGES.index(language)
            texts = [self.pairs[i][index] for i in self.members[topic]]
            self.chains[key] = MarkovChain(texts, SENTENCE_BACKOFF)
        return self.chains[key]


# The corpus.


def committee_count(n_recommendations):
    return max(MIN_COMMITTEES, math.ceil(n_recommendations / RECOMMENDATIONS_PER_COMMITTEE))


def generate_committees(style, count, seed):
    """``count`` committees named after the real themes, their codes unique to ``seed``."""
    real = style.committee
    titles = list(style.theme_titles)
    random.Random(f"committees:{seed}").shuffle(titles)
    committees = []
    for index in range(count):
        title_fr, title_en = titles[index % len(titles)]
        round_ = index // len(titles)
        suffix = f" ({round_ + 1})" if round_ else ""
        committees.append(
            SyntheticCommittee(
                code=f"corpus-{seed}-{index + 1:04d}"[:50],
                name_fr=f"Comité consultatif\u00a0: {title_fr}{suffix}"[:200],
                name_en=f"Advisory Committee: {title_en}{suffix}"[:200],
                acronym_fr=f"CC{index + 1}",
                acronym_en=f"AC{index + 1}",
                department_fr=real["department_fr"],
                department_en=real["department_en"],
                disclaimer_fr=real.get("disclaimer_fr") or "",
                disclaimer_en=real.get("disclaimer_en") or "",
                original_language=real.get("original_language") or "fr",
            )
        )
    return committees


class _Schedule:
    """Which committee meets on which day: never twice on a day, and only on weekdays."""

    first_day = datetime.date(FIRST_YEAR, 1, 1).toordinal()
    days = datetime.date(FIRST_YEAR + YEARS, 1, 1).toordinal() - first_day

    def __init__(self, committees, rng):
        self.committees = committees
        self.rng = rng
        self.taken = set()

    def next_slot(self):
        while True:
            committee = self.rng.randrange(self.committees)
            date = datetime.date.fromordinal(self.first_day + self.rng.randrange(self.days))
            if date.weekday() < 5 and (committee, date) not in self.taken:
                self.taken.add((committee, date))
                return committee, date


def generate_meetings(style, committees, n_recommendations, seed):
    """Yield meetings until they hold ``n_recommendations`` recommendations in all.

    Positions start at 1 within their parent; no committee meets twice on a
    day; no two meetings of one day share a slug, in either language.
    """
    rng = random.Random(f"meetings:{seed}")
    topics = Topics(style, seed)
    schedule = _Schedule(len(committees), rng)
    slugs_by_date = {}
    remaining = n_recommendations
    while remaining > 0:
        committee, date = schedule.next_slot()
        sizes = []
        for _theme in range(rng.randint(*THEMES_PER_MEETING)):
            size = min(rng.randint(*RECOMMENDATIONS_PER_THEME), remaining - sum(sizes))
            if size > 0:
                sizes.append(size)
        meeting = write_meeting(
            style,
            topics,
            random.Random(rng.getrandbits(64)),
            committee,
            date,
            sizes,
            slugs_by_date.setdefault(date, set()),
        )
        meeting.is_published = rng.random() >= UNPUBLISHED_SHARE
        remaining -= meeting.recommendation_count
        yield meeting


def write_meeting(style, topics, rng, committee, date, theme_sizes, slugs_taken):
    """One meeting's text, drawn from ``rng``; its slugs are kept out of ``slugs_taken``."""
    fr, en = style.chains["fr"], style.chains["en"]
    for _attempt in range(ATTEMPTS):
        title_fr = fr["meeting_title"].sentence(rng, max_length=MAX_TITLE_LENGTH)
        title_en = en["meeting_title"].sentence(rng, max_length=MAX_TITLE_LENGTH)
        slug_fr, slug_en = make_slug(title_fr), make_slug(title_en)
        if not {slug_fr, slug_en} & slugs_taken:
            break
    else:
        # Titles so alike that their slugs clash: number this one apart.
        number = len(slugs_taken) + 1
        title_fr, title_en = f"{title_fr} ({number})", f"{title_en} ({number})"
        slug_fr, slug_en = make_slug(title_fr), make_slug(title_en)
    slugs_taken.update((slug_fr, slug_en))

    n_objective = rng.choice(style.objective_sentence_counts)
    meeting = SyntheticMeeting(
        committee=committee,
        date=date,
        title_fr=title_fr,
        title_en=title_en,
        objective_fr=" ".join(fr["objective"].sentence(rng, MIN_SENTENCE_TOKENS) for _ in range(n_objective)),
        objective_en=" ".join(en["objective"].sentence(rng, MIN_SENTENCE_TOKENS) for _ in range(n_objective)),
        slug_fr=slug_fr,
        slug_en=slug_en,
        is_published=True,
        # A summary is published some weeks after its meeting.
        modified_at=datetime.datetime.combine(
            date + datetime.timedelta(days=rng.randint(14, 60)), datetime.time(12), tzinfo=datetime.UTC
        ),
    )
    topic = topics.choose(rng)
    text_fr, text_en = topics.chain(topic, "fr"), topics.chain(topic, "en")
    counts = style.sentence_counts
    for theme_position, size in enumerate(theme_sizes, start=1):
        theme = SyntheticTheme(
            position=theme_position,
            title_fr=fr["theme_title"].sentence(rng, max_length=MAX_TITLE_LENGTH),
            title_en=en["theme_title"].sentence(rng, max_length=MAX_TITLE_LENGTH),
        )
        for position in range(1, size + 1):
            # As in the real archive, both languages have as many sentences.
            n = counts[int(rng.random() * len(counts))]
            theme.recommendations.append(
                SyntheticRecommendation(
                    position=position,
                    text_fr=" ".join([text_fr.sentence(rng, MIN_SENTENCE_TOKENS) for _ in range(n)]),
                    text_en=" ".join([text_en.sentence(rng, MIN_SENTENCE_TOKENS) for _ in range(n)]),
                )
            )
        meeting.themes.append(theme)
    return meeting


@dataclass
class Corpus:
    """A synthetic archive: its committees, and its meetings, drawn as they are asked for."""

    style: ArchiveStyle
    committees: list
    n_recommendations: int
    seed: int

    def meetings(self):
        return generate_meetings(self.style, self.committees, self.n_recommendations, self.seed)


def generate_corpus(records, n_recommendations, seed, committees=None):
    """A corpus of ``n_recommendations`` recommendations in the style of the archive ``records``."""
    if n_recommendations < 0:
        raise ValueError("the number of recommendations cannot be negative")
    style = learn_style(records)
    count = committees or committee_count(n_recommendations)
    return Corpus(style, generate_committees(style, count, seed), n_recommendations, seed)
