"""Word lists the patterns use. General English and naming conventions only: nothing about a particular
paper, organisation, model or event (those come from the posts and the vault's own pages)."""

from __future__ import annotations

from functools import cache
from importlib import resources

FUNCTION_WORDS = frozenset(
    """a an the this that these those and but or nor so yet for of in on at to from by with without into onto over
    under about after before during since until while as if when where why how what which who whom whose it its
    we our us i my me you your they their them he his him she her there here then than also just only even not no
    yes all any some many most more much few each every other another both either neither one two three four five
    six seven eight nine ten first second third last next new old now today tomorrow yesterday still again very
    is are was were be been being do does did have has had can could will would shall should may might must
    let lets let's i'm it's we're they're that's there's here's what's don't doesn't isn't aren't""".split()
)

MONTHS_AND_DAYS = frozenset(
    """january february march april may june july august september october november december jan feb mar apr jun
    jul aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday""".split()
)

# Nouns that take a number without naming a model ("Tier 2", "Part 3", "Episode 9").
NUMBERED_NOUNS = frozenset(
    """tier part chapter section figure fig table episode lesson step phase version level stage season day week
    month year page vol volume article title rule item round top number no class type category group appendix
    equation eq exhibit act option method problem question task test game world war web windows ios android
    python covid sars mp h g q k pass grade size batch layer epoch hour minute point note footnote slide
    series issue edition unit block region zone route district floor room gen""".split()
)

# Words that end or open the name of an organisation.
ORG_HEADS = frozenset(
    """labs lab laboratory laboratories institute foundation university college inc inc. corp corp. corporation
    co co. llc ltd ltd. group department agency administration commission committee council bureau office center
    centre society association consortium alliance ventures capital partners technologies robotics dynamics
    ministry school academy conference union party court organization organisation""".split()
)
ORG_OPENERS = frozenset("university department office bureau committee center centre institute ministry".split())
ORG_SUFFIX_AI = frozenset({"AI", "ML", "Research"})

POLICY_HEADS = frozenset(
    """act bill order rule regulation directive treaty accord declaration agreement convention moratorium
    plan""".split()
)

# Last words of a long form that make "<Long Form> (ACRONYM)" a concept (a method or an idea).
CONCEPT_HEADS = frozenset(
    """learning optimization optimisation feedback training sampling search attention policy network networks
    utilization utilisation alignment tuning fine-tuning distillation decoding generation reasoning regression
    estimation intelligence experts models model transformer transformers thought thoughts processing
    interaction systems system vehicles vehicle likeness rewards reward modeling modelling compute scaling
    retrieval embedding embeddings descent gradient""".split()
)

# Model-name tiers that follow a version ("<Name> 2.5 Pro"): naming conventions, not particular models.
MODEL_TIERS = frozenset(
    """pro flash lite ultra nano mini turbo instruct chat base vision coder math max plus preview large medium
    small xl""".split()
)

# Fields too broad to be worth a page in a wiki about them ("artificial intelligence (AI)").
TOO_GENERAL = frozenset(
    {"artificial intelligence", "artificial intelligences", "machine learning", "computer science", "language model",
     "language models", "information technology"}
)

PERSON_TITLES = frozenset("professor prof prof. dr dr. ceo cto cpo coo founder cofounder co-founder".split())

# Given names that are also everyday words; as the first word of a sentence they seldom start a name.
AMBIGUOUS_GIVEN_NAMES = frozenset(
    """will may june april august grant hope joy faith summer winter autumn dawn christian page long young case
    king price early major general rich bill mark""".split()
)

GENERIC_LINK_TEXT = frozenset(
    {"paper", "papers", "here", "this", "link", "arxiv", "pdf", "preprint", "abstract", "source", "report", "blog",
     "post", "study", "work", "research", "the paper", "this paper", "our paper", "a paper", "new paper", "recent paper"}
)


@cache
def given_names() -> frozenset[str]:
    """Common given names (US census lists shipped by the `names` package), upper case."""
    found: set[str] = set()
    for name in ("dist.male.first", "dist.female.first"):
        text = resources.files("names").joinpath(name).read_text(encoding="utf-8")
        found.update(line.split(None, 1)[0] for line in text.splitlines() if line.strip())
    return frozenset(found)
