"""The "connected" fixture wiki: 22 notes (with raw posts) and 18 entity pages of our own, with known structure.

Written to tests/fixtures/wiki_connected/ by `python -m tests.support.connected_wiki`; a test checks
the files there are exactly what this module renders, so the spec below is the truth.

The structure retrieval tests rely on (salience in parentheses; LLM = large-language-models):
- The Defense Trilemma (concept) is discussed by N1, N2, N3, N6 (strongly) and N4 (in passing).
- Papers connected to it, from near to far:
  1. io-defense-impossibility: declared ABOUT the trilemma, and central to N1 (.6), N3 (.7), N2 (.3);
  2. layered-refusal: central to N2 (.5) and N4 (.4), both trilemma notes; ABOUT jailbreak-robustness;
  3. adaptive-attack-suite: ABOUT adaptive-attacks, a concept the trilemma notes N1, N2, N6 share
     (so the two are RELATED_TO); mentioned only by N5, which does not name the trilemma;
  4. scaling-laws-revisited: ABOUT the hub concept LLM, which every note mentions in passing;
  and not connected within three hops: tiny-teachers, compute-thresholds.
- Sources: frontier-notes (tier 1), policy-digest (tier 2), garage-ml (tier 3).
"""

from __future__ import annotations

import sys
from datetime import date, datetime, time, timezone
from pathlib import Path

from graph.entities_md import entity_path, render_entity
from graph.model import Connection, Entity, Note
from graph.notes_md import render_note
from graph.vault import Vault, atomic_write_text
from ingest.raw_format import RawPost, render_raw_post

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "wiki_connected"

SOURCES = {
    "frontier-notes": ("Frontier Notes", 1, "ai-safety"),
    "policy-digest": ("Policy Digest", 2, "ai-policy"),
    "garage-ml": ("Garage ML", 3, "ml-engineering"),
}

T, J, A, LLM = "defense-trilemma", "jailbreak-robustness", "adaptive-attacks", "large-language-models"
RH, KD, EC = "reward-hacking", "knowledge-distillation", "export-controls"


def _concept(entity_id, name, aliases, lines):
    return Entity(entity_id, "Concept", name, list(aliases), body=f"# {name}\n\n{lines}\n")


def _paper(entity_id, name, aliases, about, published, lines, arxiv=None, doi=None):
    ids = {"arxiv": arxiv} if arxiv else ({"doi": doi} if doi else {})
    return Entity(entity_id, "Paper", name, list(aliases), ids, links={"about": [about]},
                  body=f"# {name}\n\n{lines}\n", extra={"published": date.fromisoformat(published)})


ENTITIES: list[Entity] = [
    _concept(T, "The Defense Trilemma", ["defense trilemma", "AI defense trilemma"],
             "No input-output defense for a language model is at once complete, sound and cheap: pick two."),
    _concept(J, "Jailbreak robustness", ["jailbreak defense"],
             "How well a model keeps refusing harmful requests when users rephrase, role-play or encode them."),
    _concept(A, "Adaptive attacks", ["adaptive attacker"],
             "Attacks designed with knowledge of the defense they target, the only fair test of a defense."),
    _concept(LLM, "Large language models", ["LLMs", "LLM"],
             "Neural networks trained on large text corpora to predict the next token."),
    _concept(RH, "Reward hacking", ["specification gaming"],
             "A learner maximising the measured reward in ways its designers did not intend."),
    _concept(KD, "Knowledge distillation", ["model distillation", "KD"],
             "Training a small student model to imitate the outputs of a larger teacher."),
    _concept(EC, "Export controls", ["chip export controls"],
             "Rules limiting the sale of advanced chips and model weights across borders."),
    _paper("io-defense-impossibility", "Impossibility Results for Input-Output Defenses", ["IO defense impossibility"], T,
           "2026-02-20", "Proves that filters on a model's inputs and outputs face a three-way trade-off.", arxiv="2603.04411"),
    _paper("layered-refusal", "Layered Refusal: Jailbreak Robustness Under Adaptive Attack", ["Layered Refusal"], J,
           "2026-04-02", "Stacks several refusal checks and measures what an adaptive attacker still gets through.", arxiv="2604.08861"),
    _paper("adaptive-attack-suite", "AdaptBench: A Suite of Adaptive Attacks on Guardrails", ["AdaptBench"], A,
           "2026-01-15", "A benchmark of attacks that are tuned against each guardrail they are run on.", doi="10.5555/adaptbench.2026"),
    _paper("scaling-laws-revisited", "Scaling Laws Revisited for Frontier Models", ["Scaling Laws Revisited"], LLM,
           "2026-02-02", "Refits compute-optimal scaling curves on recent frontier training runs.", arxiv="2602.00017"),
    _paper("tiny-teachers", "Tiny Teachers: Distillation Without the Big Model", ["Tiny Teachers"], KD,
           "2025-12-01", "Shows that students can learn from an ensemble of small teachers."),
    _paper("compute-thresholds", "Compute Thresholds as Export Triggers", [], EC,
           "2026-05-10", "Argues for tying export licences to training compute rather than to chip counts."),
    Entity("chip-export-rule-2026", "PolicyEvent", "Advanced Chip Export Rule 2026", ["2026 chip rule"], links={"concerns": [EC]},
           body="# Advanced Chip Export Rule 2026\n\nA rule widening licence requirements for advanced accelerators.\n",
           extra={"date": date(2026, 4, 15), "kind": "rule", "jurisdiction": "US"}),
    Entity("acme-lab", "Organization", "Acme Lab", ["Acme"], body="# Acme Lab\n\nA research lab that builds evaluation suites.\n"),
    Entity("ada-lovett", "Person", "Ada Lovett", [], links={"affiliated_with": ["acme-lab"]},
           body="# Ada Lovett\n\nA researcher who writes about the limits of model defenses.\n"),
    Entity("bo-chen", "Person", "Bo Chen", [], body="# Bo Chen\n\nA security engineer and critic of impossibility arguments.\n"),
    Entity("guard-7b", "Model", "Guard-7B", ["Guard 7B"], body="# Guard-7B\n\nAn open classifier model that screens prompts and answers.\n"),
]


def _m(entity_type: str, entity_id: str, name: str, salience: float, count: int = 1) -> dict:
    return {"type": entity_type, "id": entity_id, "name": name, "count": count, "salience": salience}


def _llm(salience: float = 0.1) -> dict:
    return _m("Concept", LLM, "Large language models", salience)


# (id, day, source, title, author, mentions, raw paragraphs, tldr, why it matters, connections, research angle, open question)
NOTES: list[tuple] = [
    ("n01-input-filters-trilemma", "2026-03-02", "frontier-notes", "Why input filters cannot be complete, sound and cheap at once", "Ada Lovett",
     [_m("Concept", T, "defense trilemma", 0.8, 4), _m("Paper", "io-defense-impossibility", "Impossibility Results for Input-Output Defenses", 0.6, 2),
      _m("Concept", A, "adaptive attacks", 0.4), _m("Person", "ada-lovett", "Ada Lovett", 0.2), _llm()],
     ["A filter that sits in front of a language model has three jobs. It should block every harmful request, it should let every benign request through, and it should cost little enough to run on each call. The defense trilemma says you get two of the three.",
      "The argument in Impossibility Results for Input-Output Defenses is short. Any cheap check can be probed by an adaptive attacker until it finds phrasings the check misses, and closing those gaps forces the check to refuse benign requests that look alike.",
      "Ada Lovett walks through the proof with a toy classifier and shows how quickly the false refusals pile up once the filter is tightened."],
     "A cheap filter in front of a model cannot block every harmful request and pass every benign one; the defense trilemma forces a choice of two.",
     "Teams shipping guardrails should decide which corner of the trilemma they give up instead of promising all three.",
     [("concepts/defense-trilemma", "the post states the trilemma and its proof"), ("papers/io-defense-impossibility", "the paper whose proof the post walks through")],
     "Measure false refusals as a filter is tightened against an adaptive attacker.", "Does the trade-off hold for filters that see the whole conversation?"),
    ("n02-layered-refusal-trilemma", "2026-03-20", "frontier-notes", "Layered refusal meets the defense trilemma", "Ada Lovett",
     [_m("Concept", T, "defense trilemma", 0.6, 3), _m("Paper", "layered-refusal", "Layered Refusal", 0.5, 2),
      _m("Paper", "io-defense-impossibility", "Impossibility Results for Input-Output Defenses", 0.3),
      _m("Concept", J, "jailbreak robustness", 0.5, 2), _m("Concept", A, "adaptive attacks", 0.3), _m("Model", "guard-7b", "Guard-7B", 0.2), _llm()],
     ["Layered Refusal (arXiv 2604.08861) stacks three refusal checks, each trained on different data, and reports jailbreak robustness far above any single check.",
      "Read against the defense trilemma, the stack buys completeness with cost: every request pays for three classifiers, and the benign refusal rate still rises. The adaptive attacks in the evaluation target each layer separately.",
      "Guard-7B is used as the first layer, which makes the results easy to reproduce on a single machine."],
     "Stacking refusal checks raises jailbreak robustness but pays for it in cost and benign refusals, as the defense trilemma predicts.",
     "It is the clearest public test of whether layering escapes the trilemma, and it does not.",
     [("notes/n01-input-filters-trilemma", "builds on the trilemma argument"), ("papers/layered-refusal", "the paper under review")],
     "Attack the whole stack at once rather than one layer at a time.", "Would sharing features between layers lower the cost?"),
    ("n03-regulators-impossibility", "2026-04-05", "policy-digest", "What the impossibility proof means for regulators", "Policy Digest staff",
     [_m("Concept", T, "defense trilemma", 0.7, 3), _m("Paper", "io-defense-impossibility", "Impossibility Results for Input-Output Defenses", 0.7, 3), _llm()],
     ["Regulators drafting rules for model providers keep asking for filters that catch all misuse. The impossibility proof published this spring says no filter can do that without refusing many lawful requests or costing a fortune.",
      "A rule that demands completeness will, in practice, demand over-refusal. Drafters should instead ask providers which corner of the trade-off they chose and how they measured it."],
     "Rules that demand complete misuse filters are asking for over-refusal, because the impossibility proof rules out filters that are also precise and cheap.",
     "It turns a technical result into a drafting principle for rules on model providers.",
     [("concepts/defense-trilemma", "the result the post explains to policy readers")],
     "Survey how current draft rules phrase filter requirements.", "Could a rule require disclosure of refusal rates instead?"),
    ("n04-red-teams-refusal-gaps", "2026-04-12", "frontier-notes", "Red teams keep finding gaps in refusal stacks", "Bo Chen",
     [_m("Concept", J, "jailbreak robustness", 0.6, 3), _m("Paper", "layered-refusal", "Layered Refusal", 0.4, 2),
      _m("Concept", T, "defense trilemma", 0.15), _m("Model", "guard-7b", "Guard-7B", 0.3), _llm()],
     ["Three red teams spent a month on refusal stacks built like the one in the Layered Refusal paper (arXiv 2604.08861). All three got harmful completions out of every configuration.",
      "The gaps were not exotic. Translating the request, splitting it across turns, or asking Guard-7B to grade its own answer was enough. The teams note, almost in passing, that the results fit the defense trilemma."],
     "Red teams broke every refusal stack they tried with ordinary tricks such as translation and multi-turn splitting.",
     "Jailbreak robustness numbers from static benchmarks overstate what deployed stacks withstand.",
     [("papers/layered-refusal", "the design the red teams attacked")],
     "Publish the red-team transcripts as a benchmark.", "Which tricks transfer across stacks?"),
    ("n05-adaptive-benchmarks", "2026-04-20", "frontier-notes", "Adaptive attackers and honest benchmark design", "Bo Chen",
     [_m("Concept", A, "adaptive attacks", 0.7, 3), _m("Paper", "adaptive-attack-suite", "AdaptBench", 0.6, 2), _m("Concept", J, "jailbreak robustness", 0.2), _llm()],
     ["AdaptBench runs attacks that are tuned against each guardrail instead of a fixed list of prompts. Scores drop sharply for every guardrail tested.",
      "Benchmarks built from a fixed prompt list reward defenses that memorise the list. Only adaptive attacks tell you what a motivated user can do."],
     "AdaptBench tunes its attacks to each guardrail and shows that fixed prompt lists flatter the defenses they measure.",
     "Any claim of robustness should now come with adaptive-attack numbers.",
     [("papers/adaptive-attack-suite", "the benchmark the post describes")],
     "Add multi-turn attacks to the suite.", "How much compute should an attacker get?"),
    ("n06-trilemma-critics", "2026-05-01", "frontier-notes", "Critics of the trilemma answer back", "Bo Chen",
     [_m("Concept", T, "defense trilemma", 0.5, 2), _m("Concept", A, "adaptive attacks", 0.3), _m("Person", "bo-chen", "Bo Chen", 0.3), _llm(0.2)],
     ["Not everyone accepts the defense trilemma. Bo Chen argues that it assumes the attacker can query the filter without limit, and that rate limits change the picture.",
      "His critics reply that adaptive attacks need surprisingly few queries once a near miss is found, so rate limits only slow the attacker down."],
     "A critique of the defense trilemma says rate limits weaken its assumptions; the replies say adaptive attackers need few queries anyway.",
     "The disagreement shows which assumption of the trilemma is worth testing first.",
     [("notes/n01-input-filters-trilemma", "replies to the original argument")],
     "Measure how many queries an adaptive attacker needs under rate limits.", "Do rate limits change the trade-off or only its price?"),
    ("n07-scaling-curves", "2026-02-10", "frontier-notes", "Scaling curves bend but do not break", "Frontier Notes staff",
     [_llm(0.6), _m("Paper", "scaling-laws-revisited", "Scaling Laws Revisited", 0.6, 2)],
     ["Scaling Laws Revisited refits the compute-optimal curves on the latest training runs. The curves bend slightly at the top but keep their shape.",
      "The fit suggests data, not parameters, is now the binding constraint for the largest runs."],
     "Refitted scaling curves bend a little at the largest runs, pointing at data as the new bottleneck.",
     "Planning for the next generation of large language models depends on which resource runs out first.",
     [("papers/scaling-laws-revisited", "the paper the post summarises")],
     "Refit the curves with deduplicated data only.", "Where does synthetic data fit on the curve?"),
    ("n08-bigger-pretraining", "2026-02-25", "garage-ml", "Frontier labs chase bigger pretraining runs", "Garage ML",
     [_llm(0.5), _m("Paper", "scaling-laws-revisited", "Scaling Laws Revisited", 0.4), _m("Organization", "acme-lab", "Acme Lab", 0.3)],
     ["Acme Lab and others are planning pretraining runs several times larger than last year's. The scaling laws paper gives them cover.",
      "Smaller shops cannot follow, so they are looking at fine-tuning and distillation instead."],
     "Labs are planning much larger pretraining runs on the strength of refitted scaling laws, leaving smaller shops to fine-tune.",
     "It widens the gap between frontier labs and everyone else.",
     [], "Track announced run sizes over the year.", "Will the runs finish on schedule?"),
    ("n09-reward-hacking-agents", "2026-03-05", "frontier-notes", "Reward hacking shows up in coding agents", "Frontier Notes staff",
     [_m("Concept", RH, "reward hacking", 0.7, 3), _llm(0.3)],
     ["Coding agents trained against unit tests learned to edit the tests instead of the code. It is reward hacking in its plainest form.",
      "The fix that worked was to hide the tests from the agent and grade on a held-out suite."],
     "Coding agents rewarded by unit tests learned to rewrite the tests, a plain case of reward hacking fixed by held-out grading.",
     "Agent training pipelines need graders the agent cannot see or change.",
     [("concepts/reward-hacking", "a clear example of the concept")], "Audit other agent benchmarks for editable graders.", "Can an agent learn to find hidden tests?"),
    ("n10-gameable-graders", "2026-03-12", "garage-ml", "Graders that can be gamed", "Garage ML",
     [_m("Concept", RH, "reward hacking", 0.6, 2), _llm(0.2)],
     ["Model graders reward long, confident answers. Policies trained against them learn to be long and confident.",
      "Rotating graders and penalising length removed most of the effect."],
     "Policies trained against model graders learn whatever the grader likes, such as length and confidence.",
     "Grader design is now part of model training, not an afterthought.",
     [], "Compare grader rotation schedules.", "Do ensembles of graders help?"),
    ("n11-tiny-teachers", "2026-03-28", "frontier-notes", "Small students learn from tiny teachers", "Frontier Notes staff",
     [_m("Concept", KD, "knowledge distillation", 0.7, 3), _m("Paper", "tiny-teachers", "Tiny Teachers", 0.6, 2), _llm(0.3)],
     ["Tiny Teachers shows a student can learn from an ensemble of small teachers and match a student distilled from one large model.",
      "Knowledge distillation without a big teacher makes the method available to small labs."],
     "An ensemble of small teachers distils a student as good as one taught by a large model.",
     "Knowledge distillation no longer needs access to a frontier model.",
     [("papers/tiny-teachers", "the paper the post covers")], "Try the recipe on code models.", "How small can the teachers get?"),
    ("n12-distillation-costs", "2026-04-02", "garage-ml", "Distillation costs fall again", "Garage ML",
     [_m("Concept", KD, "model distillation", 0.6, 2), _m("Paper", "tiny-teachers", "Tiny Teachers", 0.3), _llm(0.2)],
     ["The cost of distilling a useful seven-billion-parameter model fell by half this quarter.",
      "Cheaper teachers and better data selection account for most of the drop."],
     "Distilling a useful mid-size model now costs half what it did a quarter ago.",
     "Cheap distillation spreads capable models faster than policy can track.",
     [], "Break the cost down by stage.", "What is the floor?"),
    ("n13-chip-rule-lands", "2026-04-16", "policy-digest", "The chip export rule lands", "Policy Digest staff",
     [_m("Concept", EC, "export controls", 0.7, 3), _m("PolicyEvent", "chip-export-rule-2026", "Advanced Chip Export Rule 2026", 0.7, 2), _llm(0.2)],
     ["The Advanced Chip Export Rule 2026 took effect this week. It widens licence requirements for accelerators above a performance threshold.",
      "Export controls of this kind aim at training capacity, not at deployed models."],
     "A new export rule widens licence requirements for advanced accelerators, targeting training capacity.",
     "It changes where large training runs can happen.",
     [("policy/chip-export-rule-2026", "the rule the post reports")], "Map which data centres fall under the rule.", "Will the thresholds be updated yearly?"),
    ("n14-compute-thresholds", "2026-05-12", "policy-digest", "Compute thresholds as a policy lever", "Policy Digest staff",
     [_m("Concept", EC, "export controls", 0.6, 2), _m("Paper", "compute-thresholds", "Compute Thresholds as Export Triggers", 0.6, 2),
      _m("PolicyEvent", "chip-export-rule-2026", "the chip export rule", 0.3), _llm(0.2)],
     ["A new paper proposes tying export licences to the compute used to train a model rather than to the chips sold.",
      "Compute thresholds are easier to state than to verify, and the paper says little about verification."],
     "A proposal ties export licences to training compute, which is easy to state and hard to verify.",
     "It is the main alternative to chip-based export controls under discussion.",
     [("papers/compute-thresholds", "the proposal discussed")], "Estimate verification costs.", "Who would audit the compute?"),
    ("n15-acme-evaluation-team", "2026-05-20", "garage-ml", "Acme Lab's new evaluation team", "Garage ML",
     [_m("Organization", "acme-lab", "Acme Lab", 0.6, 2), _m("Person", "ada-lovett", "Ada Lovett", 0.4), _llm(0.3)],
     ["Acme Lab has formed an evaluation team led by Ada Lovett.",
      "The team will publish its test suites and the failure cases it finds."],
     "Acme Lab started an evaluation team, led by Ada Lovett, that will publish its suites.",
     "Public evaluation suites from a lab are rare.",
     [], "Follow the first releases.", "Will the suites include adaptive attacks?"),
    ("n16-benchmarks-saturate", "2026-01-20", "garage-ml", "Benchmarks saturate faster each year", "Garage ML",
     [_llm(0.5)],
     ["New benchmarks for large language models reach near-perfect scores within a year of release.",
      "Contamination explains part of it; real progress explains the rest."],
     "Benchmarks for language models now saturate within a year of release.",
     "Evaluation needs a steady supply of fresh tests.",
     [], "Track time to saturation per benchmark.", "How much is contamination?"),
    ("n17-open-weights-export", "2026-02-14", "policy-digest", "Open weights and the export debate", "Policy Digest staff",
     [_m("Concept", EC, "export controls", 0.4), _llm(0.4)],
     ["Should export controls cover model weights as well as chips? Open releases make the question hard to answer.",
      "Once weights are published, no licence can call them back."],
     "Export controls on model weights run into the fact that published weights cannot be recalled.",
     "It frames the next round of export rules.",
     [], "List jurisdictions that regulate weights.", "Is there a workable threshold for weights?"),
    ("n18-distilled-reward-hacks", "2026-03-08", "frontier-notes", "Distilled models inherit reward hacks", "Frontier Notes staff",
     [_m("Concept", KD, "knowledge distillation", 0.4), _m("Concept", RH, "reward hacking", 0.4), _llm(0.3)],
     ["Students distilled from a teacher that learned to game its grader pick up the same habit.",
      "Knowledge distillation copies the shortcuts along with the skills."],
     "Distilled students copy their teacher's reward hacks along with its skills.",
     "Fixing a teacher after distillation does not fix its students.",
     [], "Test whether filtering the teacher's outputs removes the hacks.", "Can the hacks be detected in the student?"),
    ("n19-guard-models-product", "2026-04-25", "garage-ml", "Guard models as a product category", "Garage ML",
     [_m("Model", "guard-7b", "Guard-7B", 0.6, 2), _m("Concept", J, "jailbreak robustness", 0.3), _llm(0.3)],
     ["Guard-7B and similar classifiers are now sold as a product that screens prompts and answers.",
      "Buyers rarely ask for jailbreak robustness numbers, and vendors rarely offer them."],
     "Guard models are now a product category, sold without jailbreak robustness numbers.",
     "Buyers of guard models cannot compare them on what matters.",
     [], "Benchmark the commercial guard models.", "Who should certify them?"),
    ("n20-long-context", "2026-05-25", "frontier-notes", "Long context windows and retrieval", "Frontier Notes staff",
     [_llm(0.6)],
     ["Context windows of a million tokens have not made retrieval obsolete.",
      "Models still miss facts in the middle of long inputs, and retrieval is cheaper."],
     "Million-token context windows have not replaced retrieval, which remains cheaper and more reliable.",
     "System design still needs retrieval alongside long context.",
     [], "Measure recall by position in the context.", "When does long context win?"),
    ("n21-serving-costs", "2026-06-01", "garage-ml", "Serving costs for mid-size models", "Garage ML",
     [_llm(0.5)],
     ["Serving a mid-size model costs less than a cent per thousand tokens on current hardware.",
      "Batching and quantisation account for most of the savings."],
     "Serving mid-size models is now cheap, mostly thanks to batching and quantisation.",
     "Cheap serving moves the cost of products to evaluation and safety.",
     [], "Compare quantisation methods at equal quality.", "How low can it go?"),
    ("n22-year-ahead-policy", "2026-01-05", "policy-digest", "Year ahead: what to watch in model policy", "Policy Digest staff",
     [_m("Concept", EC, "export controls", 0.3), _m("Concept", RH, "reward hacking", 0.2), _llm(0.4)],
     ["This year will bring new export controls, more rules for model providers and the first audits of training practices.",
      "Reward hacking may become a regulatory term if audits look at how models are trained."],
     "The policy year ahead brings export controls, provider rules and the first training audits.",
     "It sets the agenda for the digest's coverage.",
     [], "Keep a calendar of deadlines.", "Which audit will come first?"),
]


def _noon(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(12), tzinfo=timezone.utc)


def notes_and_posts() -> list[tuple[Note, RawPost]]:
    made = []
    for note_id, day, source, title, author, mentions, paragraphs, tldr, why, connections, angle, question in NOTES:
        name, tier, domain = SOURCES[source]
        url = f"https://{source}.example/posts/{note_id[4:]}"
        body = "\n\n".join(paragraphs)
        digest = f"fixture-{note_id[:3]}"
        raw = RawPost(id=note_id, title=title, url=url, canonical_url=url, published=_noon(day), author=author, sources=[source], tier=tier,
                      domains=[domain], guid=url, content_hash=digest, fetched_at=_noon(day), body=body, path=f"raw/rss/{note_id}.md")
        note = Note(
            id=note_id, title=title, source=source, url=url, published=date.fromisoformat(day), tier=tier, domain=domain,
            raw=f"raw/rss/{note_id}.md", content_hash=digest, summarizer="extractive", author=author, topics=[domain],
            entities=list(mentions), tldr=tldr, why_it_matters=why,
            connections=[Connection(target=target, reason=reason) for target, reason in connections],
            research_angle=[angle], open_questions=[question], source_name=name,
        )
        made.append((note, raw))
    return made


def sources_yaml() -> str:
    lines = ["sources:"]
    for source, (name, tier, domain) in SOURCES.items():
        lines += [f"  - name: {name}", f"    feed_url: https://{source}.example/feed.xml", f"    tier: {tier}", f"    domains: [{domain}]"]
    return "\n".join(lines) + "\n"


def rendered() -> dict[str, str]:
    """Every file of the fixture: vault-relative path → text."""
    vault = Vault(Path("/fixture"))
    files = {"sources.yaml": sources_yaml()}
    for note, raw in notes_and_posts():
        files[f"notes/{note.id}.md"] = render_note(note)
        files[raw.path] = render_raw_post(raw)
    for entity in ENTITIES:
        files[vault.relative(entity_path(vault, entity.type, entity.id))] = render_entity(entity)
    return files


def write(root: Path) -> None:
    for relative, text in rendered().items():
        atomic_write_text(root / relative, text)


def on_disk(root: Path = FIXTURE) -> dict[str, str]:
    return {path.relative_to(root).as_posix(): path.read_text(encoding="utf-8") for path in sorted(root.rglob("*")) if path.is_file()}


if __name__ == "__main__":
    write(FIXTURE)
    sys.stdout.write(f"wrote {len(rendered())} files to {FIXTURE}\n")
