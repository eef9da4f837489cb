"""The verifier on the kind of text a strong model writes: a faithful paraphrase of a passage is
kept, whatever its wording; a hard fact that differs from the passage is removed. Checked on a small
playbook the test writes, with the real embedder."""

from __future__ import annotations

import pytest

from assistant.config import Settings
from assistant.index.corpus import load_corpus
from assistant.index.vectorstore import build_vector_store
from assistant.ingest.pipeline import Ingestor
from assistant.model.facts import figures_missing, measures, ranges_missing
from assistant.model.generation import keeps_model_answer, verification_notice
from assistant.model.meaning import stem
from assistant.model.verify import Verified, Verifier, content_words

STAFF = (
    "Do we need a data scientist to run the tool? For most bakeries using a hosted tool, no. "
    "What you need is a manager comfortable with spreadsheets and ordering screens."
)
PLAYBOOK = f"""# Harbour Bakery 30-Day AI Handbook

## Trial Stage (Weeks 1-6)

### Crew

**Minimum Crew:**
- **Sponsor:** The owner who pays for the trial
- **Builder:** Someone who can configure the tool (can be external)
- **Testers:** 3-6 counter staff willing to try it

### Measures

**Tier 1 - Usage Measures (Early Signals):**
- Weekly active staff
- Orders drafted per day
- Session length
- Features tried

**Tier 2 - Quality Measures (Running Signals):**
- Share of drafts sent without heavy edits
- Error rate of the tool
- Complaints per week
- Thumbs-up ratio

**Tier 3 - Money Measures (Late Signals):**
- Hours saved per week
- Cost of waste avoided
- Revenue from new orders

### Rollback

**Automatic rollback triggers:**
- Error rate > 8%
- Latency > 6 seconds (p90)
- Cost per order > 2x baseline

Rollback must be instant (< 2 minutes) once a fault is seen.

**Ways to answer faster:**
1. **Caching:** keep the frequent answers ready
2. **Shorter prompts:** cut prompt tokens by 20-30%

### Lesson 3: Budget 1.4x Time and 1.2x Money

Every trial we ran overran its schedule by 25-45% and its budget by 10-30%. Scope reduction: 5-15%.

### Training

**The "Stacked Practice" Approach:**

**Layer 1 - Reading at Home (20 minutes):**
- Short video on the ordering screen (5 min)
- Video on taking phone orders (5 min)
- Cheat sheet for the till
- Recipe card photos
- Quiz: 4 questions on allergens

**Layer 2 - Counter Session (60 minutes):**
- Demo with real orders (20 min)

### Ovens

**Lesson 4: Oven Hygiene Was an Afterthought**

Most shops clean ovens like this:
- Once a quarter, when something smells

We gave it 5% of our hours. Results:
- **Burnt batches**: 2 a month (was 9)

**May 3, 2024, 9:15 AM**: First trial bake of the new sourdough, with flour from the new mill.

How we did it:
- **Cleaned every 2 weeks**: Not every 2 months
- **Checklist on the oven door**: signed by each baker
- **Involved testers in design**: 6 counter bakers on the recipe panel
- **Manager program**: 12 shop managers as advocates

### Targets

**Daily targets:**
- Freshness: 98%+ of loaves sold the same day
- Waste rate <3%
- Goodwill from regulars: Unmeasurable but real

Spoiled stock often costs 2-3x more than expected.

Start the trial with a narrow menu of ten loaves.

Counter staff should be trained on what the tool can and cannot do.

Our first tool was a pre-order form. Not fancy. Not new. But it paid for itself in a month.

Train counter staff for judgment, not just operation.

## Timelines

| Kind of shop | Setup | Trial | Total to full use |
|---|---|---|---|
| One counter | 1–2 wks | 3–4 wks | 2–3 months |
| Several counters | 2–3 wks | 5–7 wks | 5–7 months |

Trials that need clean sales data should add 20–40% to these estimates.

## Trial Review

**Criteria for "KEEP" (Order More):**
- Staff use it daily
- Waste falls by 10%+

**Criteria for "PAUSE" (Retrain Staff):**
- Promising results but staff unsure
- Retrain for 2 more weeks

**Criteria for "DROP" (Cancel the Tool):**
- Under 30% of drafts accepted despite retraining
- Staff avoiding the tool

## Prep Estimates

**Small Shop (1 counter):**
- Setup: 1-2 weeks
- Testing: 2-4 weeks
- Cleanup: 2-4 weeks
- Review: 1-2 weeks
- **Total: 6-12 weeks**

**Medium Shop (2-3 counters):**
- Setup: 2-4 weeks
- Testing: 4-8 weeks
- Cleanup: 4-8 weeks
- Review: 2-4 weeks
- **Total: 12-24 weeks**

**Large Shop (4+ counters):**
- Setup: 4-8 weeks
- Testing: 8-16 weeks
- Cleanup: 8-16 weeks
- Review: 4-8 weeks
- **Total: 24-48 weeks**

## Staff Questions

{STAFF}

## Uneven Use

**Why counters use it unevenly:**
- One-size-fits-all menu doesn't fit all shops
- Different counters have different routines
- Training not tailored to role

## While Trialling

**Don't Add:**
- ❌ Delivery orders to the tool
- ❌ A second shop on the same tool

## Stalled Trials

- Why trials stall: staff turnover (45%), unclear owner (35%), tool cost (20%)
- Lesson: bake for 2x the expected Saturday rush, not 1.5x

## Help at the Counter

**Level 1: Recipe Binder (settles 60% of questions)**
- Laminated cards by the till

**Level 2: Shift Lead (settles 30% of questions)**
- Radio channel watched by the shift lead

**Level 3: Owner Hotline (settles 10% of questions)**

**Adding counters:**
- Step 1: Main counter first (Week 1-2)
- Step 2: Counter A joins (Week 3-4)
- Step 3: Counter B joins (Week 5-6)

**Tasting rhythm:**
- **Trial:** Weekly tastings
- **Rollout:** Monthly tastings

## Shop Costs

**Common Risks:**

1. **Oven Risks:**
   - Burnt crust

2. **Flour Risks:**
   - Damp sacks

**Why pre-orders stall:**
- Missing phone numbers
- Wrong pickup times
- Unpaid deposits

Deposits: 50% of pre-orders are paid ahead.

```javascript
const shopCosts = {{
    startup: {{
        "Mixer & proofing cabinet": 18_400,
        "Oven (deck, 3 tiers)": 42_750,
        subtotal: 61_150
    }},
    first_year: {{
        "Flour contract": {{
            amount: 960_000,
        }},
        subtotal: 1_420_000
    }},
    total_12_months: 61_150 + (2_300 * 12),  // $88.75K
}};
```

## Phase 2 (Days 31–60): Open the Counter

### Counter launch

- Scope: One counter; 10–20 testers for 2–4 weeks

### Counter Training

**Layer 2 - Live Training (90 minutes):**
- Introduction and context (15 min)
- Live demo with real orders from their counter (30 min)

**Layer 3 - Support:**
- Radio help during the first morning

**The "No Silly Questions" Rule:** In week 1 we answer every question within the hour. Testers need to feel
supported, not judged.

## Opening Checklist

**Before the doors open:**
- Light the deck oven
- Check the proofing cabinet temperature
- Count the float in the till
- Wipe the display cases
- Print the allergen cards
- Chalk the specials board
- Unlock the side door for deliveries

## Doubts

**Q: "What if the new loaf doesn't sell?"**
**A:** That's fine: a trial is meant to fail cheaply. If the trial fails:
- You've learned what doesn't sell
- You can pivot or stop

**Q: "Can we keep our old oven?"**
**A:** Yes! Options:
- Bake the trial loaves in it
- Replace it once the trial ends

**Q: "Flour costs are higher than expected. Is this normal?"**
**A:** Some cost increase is normal, but watch it:
- Set flour budget limits
- Monitor weekly
- Set order limits

**Getting started:**
- Bake from the recipes you have
- Refine them weekly
- Don't wait for perfection

## New Staff

**Common Opening Gaps:**
- Don't know the POS screens
- Don't know HACCP rules
- Don't know FIFO rotation
- Don't know the recipes
- Don't know the rota
- Don't know the suppliers
- Don't know the alarm code

**Induction plan:**

```python
class Induction:
    cost = "$1,200"
    length = "3 weeks"
    pass_rate = "85%"  # most pass first time
    tradeoff = "Slower proofing on cold mornings"
```

## Owner Buy-In

**The Impact:**
- Plans don't get approved
- Plans get cancelled early
- Ovens aren't serviced
- Support wanes over time

**Launch Fixes:**
- Reduce taps to the first order (ideally: 1 tap)
- Put it where staff already work (e.g., inside the till screen, not a separate app)
- Pre-fill common orders (templates)

**Pre-Launch:**
- Announcement note and welcome card from the sponsor (the owner or head of the shop)
- Teaser poster in the shop window
- Tester stories shared

**Original launch scope** (what the owner wanted):
- Every loaf on the menu
- Delivery by van
- Three shops at once
- Online ordering
- A loyalty card
- Gift boxes

**Estimated cost**: $4K
**Estimated time**: 3 months

**Cover plan:** Train 3 bakers on the tool, not just 1

**Crew Scoring:**
- **16-20:** Crew ready
- **12-15:** Crew mostly ready (some practice needed)
- **8-11:** Crew needs significant practice

## Shop Roles

**1. Head Baker**
- **Duties:**
  - Set the daily bake plan
  - Check dough quality
- **Time:** 10-15 hours/week

**2. Counter Lead**
- **Duties:**
  - Greet customers
  - Handle refunds
- **Time:** 5-8 hours/week

## Shop Tools

- Taking phone orders (Toast, Square)
- Planning staff rotas (Deputy, Homebase)
- Primary till: Clover (fast checkout)
- Fallback till: Lightspeed (if the primary till is down)

## Refit

- **Cost**: $3K + $1K/year
- **Timeline**: 6 weeks actual vs 4 planned

## Oven Options

```python
three_year_cost = {{
    "buy": 2_500_000,  # $2.5M
    "rent": 3_100_000,  # $3.1M
    "countertop": 1_200_000,  # $1.2M (cheapest)
}}
```

## Owner Briefing

**What Leadership Needs to Know:**
- What the tool can do
- What the tool can't do

## Van Rounds

Plan each van round around traffic, weather, and fuel cost.
"""
# Two more documents, so that what most titles name ("AI") is what the whole handbook is about.
OVENS = """# Oven Care Methodology

## Deck Ovens

**Client:** The harbour's second shop (3 deck ovens)
**Use Case:** Draft the weekly cleaning rota for the bakers

## Oven Tiering

- Route small batches to the countertop oven (a twentieth of the gas)
- Reserve the deck oven for large sourdough batches
- Proof the overnight dough in the cooler, darker pantry

## Rota Card

- Not Meant For: Final rota without manager review, holiday cover

## Why More Ovens

Me: "Because in 6 months, 5 other shops will want ovens like these."

## Supplier Trouble

**June 3, 2024**: The flour order failed. The supplier's price list was from 2019 and completely inaccurate.
Spent 2 days calling the mill about the price list.

## Oven Payback

**Not what we expected**:

**Biggest gain** (38% of total benefit): **Faster baking**

Not more staff. Existing bakers making more loaves.

We didn't fire anyone. This reduced resistance and increased adoption.

Payback period: Month 19 (broke even in Q4 of Year 2)

## Van Tracking

- Customer asks: "Where is my order?"
- The app doesn't just explain where—it actually tracks the van (with a map)
- Result: One tap instead of 5-minute phone call

## Refund Letters

- **Outcome:** 40% reduction in refund denials (fewer errors)

## Order Routing

```python
class OrderDesk:
    def route(self, order):
        if order.is_wholesale:
            return self.van_driver.deliver(order)
        if order.is_custom_cake:
            return self.cake_decorator.quote(order)
        return self.counter_staff.pack(order)
```
"""
PRICES = """# Bakery AI Pricing Notes

## Loaf Prices

- Sourdough: $6 a loaf

## Shop Faults

Oven faults are less common than missed deliveries, which cause most lost sales.

- Burner switches: turn off high-risk burners instantly
"""


@pytest.fixture(scope="module")
def verifier(tmp_path_factory, embedder):
    root = tmp_path_factory.mktemp("bakery")
    kb = root / "knowledge"
    kb.mkdir()
    (kb / "bakery-handbook.md").write_text(PLAYBOOK, "utf-8")
    (kb / "oven-care.md").write_text(OVENS, "utf-8")
    (kb / "bakery-prices.md").write_text(PRICES, "utf-8")
    # The roles this handbook assigns work to: a sentence cannot swap one for another.
    (kb / "vocabulary.toml").write_text(
        '[verification]\nheld = ["sponsor", "builder", "tester", "manager", "baker", "keep", "pause", "drop"]\n'
        # What askers call the handbook.
        '[documents.called]\n"bakery-handbook.md" = ["harbour case study"]\n',
        "utf-8",
    )
    settings = Settings(data_dir=root / "data", knowledge_dir=kb)
    Ingestor(settings, embedder, build_vector_store(settings)).run(progress=False)
    corpus = load_corpus(settings)

    def embed(texts: list[str]):
        import numpy as np

        return np.asarray(embedder.get_text_embedding_batch(texts), dtype=np.float32)

    return Verifier(corpus, embed)


def chunk_with(verifier: Verifier, text: str):
    return next(c for c in verifier.corpus.chunks.values() if text in c.text)


def supported(verifier: Verifier, statement: str, anchor: str) -> tuple[bool, str]:
    check = verifier.check(statement, verifier.embed([statement])[0], chunk_with(verifier, anchor))
    return check.ok, check.reason


@pytest.mark.parametrize(
    "statement, anchor",
    [
        # a list condensed into one sentence, with the writer's own connectives
        ("The handbook's minimum crew is a sponsor who pays, a builder who can be external, and 3-6 testers.",
         "Minimum Crew"),
        ("Usage measures are the early signals: weekly active staff, orders drafted per day, session length and "
         "features tried.", "Tier 1"),
        # other forms of the passage's words: "reduced" for "reduction", "overran" for "overrun"
        ("Scope was also reduced by 5-15%.", "Scope reduction"),
        # a comparison written as a word where the passage has a symbol, a percentile as "p90"
        ("Roll back automatically when the error rate exceeds 8% or p90 latency goes over 6 seconds.",
         "Automatic rollback"),
        # durations abbreviated in a table, written out in the answer
        ("For one counter, expect 1–2 weeks of setup and a 3–4 week trial.", "One counter"),
        ("Finally, trials that need clean sales data should add 20–40% to these estimates.", "clean sales data"),
        # a word that says where a point falls in the writer's order ("Third", "Lastly", "Beforehand")
        ("Third, a builder who can be external.", "Minimum Crew"),
        # "no." ends the sentence before: it does not negate the next one
        ("What you need is a manager who is comfortable with spreadsheets and ordering screens.", "data scientist"),
        # "One … is" is not a figure
        ("One rule is to budget 1.4x the time and 1.2x the money.", "Lesson 3"),
        # a frequency in other words: "every week" for "per week"
        ("Quality measures include complaints every week and the error rate of the tool.", "Tier 2"),
        # a frequency that a line of the list states alone ("Monitor weekly")
        ("Set flour budget limits and order limits, and watch them every week.", "Set order limits"),
        # "at least" for a figure with a plus; a multiple in words; a figure that only names the document
        ("The handbook wants at least 98% of loaves sold the same day.", "Freshness"),
        ("The 30-day handbook warns that spoiled stock costs two to three times what was expected.", "Spoiled"),
        # a word negated by its prefix, said with "not"; "can and cannot" asserts both, negates neither
        ("Goodwill from regulars could not be measured, but it was real.", "Goodwill"),
        ("Counter staff need training on what the tool can and cannot do.", "can and cannot"),
        # a denial that another sentence of the span makes ("Not fancy. Not new.")
        ("The first tool was a pre-order form, which was not fancy or new.", "pre-order form"),
        # "not just" adds, it does not deny
        ("Train counter staff for judgment as well as operation.", "judgment"),
        ("Begin the trial with a narrow menu of ten loaves.", "narrow menu"),
        # an outcome named with the figure its list gives
        ("If under 30% of drafts are accepted despite retraining, that is a criterion to drop the tool.",
         "DROP"),
        # a line marked ❌ is one not to do: "warns against" it says so
        ("While trialling, the handbook warns against adding delivery orders to the tool.", "Delivery orders"),
        # a denial says no to each thing "and" joins to it
        ("While trialling, hold off on delivery orders to the tool and a second shop on the same tool.",
         "Delivery orders"),
        # a compound's parts ("-fits-all") are not what the line's denial ("doesn't fit all shops") is about
        ("Uneven use comes from a one-size-fits-all menu and training not tailored to role.", "Uneven Use"),
        # figures paired as the passage pairs them, in the writer's order and words
        ("Staff turnover is behind 45% of stalled trials, ahead of an unclear owner at 35%.", "Why trials stall"),
        ("Every trial overran its schedule by 25-45%, and its budget by 10-30%.", "Lesson 3"),
        ("The lesson is to plan baking for twice the expected Saturday rush, not 1.5x.", "Saturday rush"),
        # a word of a label that heads the passage (not a list's own label) is what the span is about
        ("Good oven hygiene came from cleaning every 2 weeks, not every 2 months.", "Cleaned every 2 weeks"),
        # two lines of one list, each with its role and figure, in one sentence
        ("Design involved 6 counter bakers on the recipe panel, and a manager program had 12 advocates.",
         "Manager program"),
        # a date is one figure of its line, not parts of it ("May 3, 2024, 9:15 AM")
        ("The first trial bake of the new sourdough, on May 3, 2024, went badly.", "First trial bake"),
        # what askers call the handbook names it, as its title does
        ("The Harbour case study says to open the trial on a narrow menu.", "narrow menu"),
        # each item of a numbered series with its own figure, named by its name or by its number
        ("The shift lead settles about 30% of questions, and the owner hotline the last 10%.", "Level 2"),
        ("Counter A joins in weeks 3-4, then Counter B in weeks 5-6.", "Counter A joins"),
        ("Counter B is the last to join, in step 3, during weeks 5-6.", "Counter A joins"),
        ("A small shop needs 1-2 weeks of setup and 2-4 weeks each for testing and cleanup.", "Small Shop"),
        ("Tastings are weekly during the trial and monthly once the rollout starts.", "Tasting rhythm"),
        # English function words the passage lacks ("whoever", "wherever", "meanwhile") say how the
        # sentence is put, not what it claims
        ("Meanwhile, whoever trains them, wherever they work, counter staff should be trained on what the tool "
         "can and cannot do.", "can and cannot"),
        ("Whoever you are, wherever your shop is, however busy, start the trial with a narrow menu of ten loaves.",
         "narrow menu"),
        # figures in code: keys in quotes with any characters, digits grouped by underscores, a name
        # that joins words and a figure ("total_12_months"), a line that says nothing but its figure
        ("The mixer and proofing cabinet cost $18,400, and the deck oven $42,750.", "Mixer &"),
        ("Startup costs came to $61,150.", "Mixer &"),
        ("Over 12 months the shop spends about $88.75K.", "Mixer &"),
        # a count of the lines it draws on: a list of three, a series numbered to 2; a share as a fraction
        ("Pre-orders stall for three reasons: missing phone numbers, wrong pickup times and unpaid deposits.",
         "Why pre-orders stall"),
        ("The handbook sorts common risks into two kinds, oven and flour.", "Common Risks"),
        # the first and the last lines of one long list: a list is read whole, however long it is
        ("Before opening, light the deck oven and unlock the side door for deliveries.", "Opening Checklist"),
        # a denial the closest line makes, though a question above it denies the same words too
        ("If the trial fails, you have learned what doesn't sell.", "Doubts"),
        ("If a trial fails, you learn what does not sell, and you can pivot or stop.", "Doubts"),
        # ...which it does not assert when it denies it too, in its own words
        ("Bake from the recipes you have and refine them weekly, without waiting for perfection.",
         "Getting started"),
        ("Don't wait for perfect recipes: bake from the ones you have and refine them weekly.", "Getting started"),
        ("Half of pre-orders are paid ahead as deposits.", "Deposits: 50%"),
        ("Deposits are paid ahead, and half of pre-orders pay them.", "Deposits: 50%"),
        # a comparison said the same way, in other words; a compound's word as the line has it
        ("Missed deliveries happen more often than oven faults, and cause most lost sales.", "Oven faults are less"),
        ("Burners with high risk can be switched off at once.", "Burner switches"),
        # an aside that says more of the same lines
        ("Rollback must be instant once a fault is seen, with under 2 minutes to undo it.", "Rollback must be instant"),
        # a number that names a heading the passage is under ("Phase 2 (Days 31–60)")
        ("In phase 2, the counter launch covers one counter, with 10–20 testers for 2–4 weeks.", "Counter launch"),
        # the role the passage's lines are about, where they name none themselves ("their counter")
        ("The testers' live training opens with 15 minutes of introduction and context, then a 30-minute demo on "
         "real orders from their own counter.", "Live Training"),
        # what most of the playbook's titles name ("AI") is its subject, not a name a passage must hold
        ("The second shop, with 3 deck ovens, used AI to draft the weekly cleaning rota for the bakers.",
         "Deck Ovens"),
        # two names in the places the passage gives them; two side by side are a list in any order
        ("Route small batches to the countertop oven, and save the deck oven for large sourdough batches.",
         "Route small batches"),
        ("Proof the overnight dough in the darker, cooler pantry.", "Route small batches"),
        # a light verb a writer puts a step in ("comes in", "makes it through") is how it is put, not a claim
        ("Counter A comes in at weeks 3-4, once the main counter makes it through weeks 1-2.", "Counter A joins"),
        # a figure written with a decimal point and a scale ("$1.42 million") is a value the figure checks hold to
        # the passage, not words ("42", "million") its lines must have
        ("The first year's subtotal was $1.42 million.", "subtotal: 1_420_000"),
        # "rather than just" is "not just": it adds, it does not deny
        ("Train counter staff for judgment rather than just operation.", "Train counter staff for judgment"),
        # what a label denies ("Not Meant For:") is the whole of what its line goes on to
        ("The rota card is not meant for a final rota without manager review, or for holiday cover.",
         "Not Meant For"),
        # a plural unit belongs to the figure before it: "6 months 5 shops" is no "month 5"
        ("Within 6 months 5 other shops would want ovens like these.", "5 other shops"),
        # "instead of just" and "doesn't just" both add; "in place of" is "instead of"
        ("The app actually tracks the van, with a map, instead of just explaining where.", "tracks the van"),
        ("The result is one tap in place of a 5-minute phone call.", "One tap instead"),
        # "Q4" is the fourth quarter
        ("The ovens broke even in month 19, in the fourth quarter of year 2.", "broke even in Q4"),
        # a change said in other words of the same direction: "fell" where the line says "reduced"
        ("Because nobody was fired, resistance fell and adoption rose.", "didn't fire anyone"),
        # a role named after the colon is not named beside the figure before it
        ("The biggest gain, 38% of the total benefit, was faster baking: existing bakers making more loaves, "
         "not more staff.", "Biggest gain"),
        # a label that heads labels ("The … Approach:" over "Layer 1 - …", "Layer 2 - …") says what each is part of
        ("The counter session lasts 60 minutes, as part of the handbook's stacked practice approach.",
         "Layer 2 - Counter"),
        # a denial of one item of a series, or of a relative clause, is not carried to the next item "and"
        # adds; nor does "or are" go on denying
        ("The impact is plans that are not approved or are cancelled early, ovens that are not serviced and "
         "support that wanes over time.", "Ovens aren't serviced"),
        ("Fixes: ideally one tap to the first order, the tool put where staff already work, such as inside the "
         "till screen rather than in a separate app, and templates for common orders.", "Launch Fixes"),
        # a line drawn on whole names its own role; the main line's role said in other words is no swap
        ("Before launch the owner or head of the shop sends an announcement note and welcome card, a teaser poster "
         "goes in the shop window and tester stories are shared.", "Teaser poster"),
        # what a sentence opens by pointing back to is the sentence before's, not another list's label
        ("That scope was estimated at $4K and 3 months.", "Estimated cost"),
        # "not just" a count replaces it
        ("The cover plan is to train 3 bakers on the tool rather than 1.", "Cover plan"),
        # a role's lines read under its own label, not the next role's
        ("The head baker sets the daily bake plan and checks dough quality, for 10-15 hours a week.", "Head Baker"),
        # names read with the words of their own line
        ("Phone orders are taken in Toast or Square, and staff rotas are planned in Deputy or Homebase.",
         "Taking phone orders"),
        ("Orders use Clover as the primary till, with Lightspeed as the fallback if the primary till is down.",
         "Primary till"),
        # an amount is what a thing costs, a duration how long it took; "vs" sets aside what "instead of" does
        ("The refit cost $3K plus $1K a year and took 6 weeks instead of the 4 planned.", "weeks actual"),
        # a figure written in two words ("$2.5M") is one place in the sentence: "buy" is not nearer "$3.1M";
        # a line of code and its comment are one part
        ("Over three years countertop ovens came out cheapest at $1.2M, against $2.5M to buy and $3.1M to rent.",
         "three_year_cost"),
        # "leaders" where the line says "leadership"
        ("Leaders need to know what the tool can and can't do.", "What Leadership"),
        # a series of the list's items, some put in other words; a series in a line, with its items reordered
        ("Van rounds are planned around fuel cost, weather and traffic.", "Plan each van round"),
        ("The owner wanted every loaf on the menu, van deliveries, online orders and gift boxes.",
         "Original launch scope"),
    ],
)  # fmt: skip
def test_a_faithful_paraphrase_is_kept(verifier, statement, anchor):
    ok, reason = supported(verifier, statement, anchor)
    assert ok, (statement, reason)


@pytest.mark.parametrize(
    "statement, anchor, reason",
    [
        ("The handbook's minimum crew is a sponsor who pays, a builder who can be external, and 5-9 testers.",
         "Minimum Crew", "number"),
        ("Roll back automatically when the error rate exceeds 8% or p95 latency goes over 6 seconds.",
         "Automatic rollback", "number"),
        # "2x" is a multiple, not the "2" of a numbered heading or a "< 2 minutes"
        ("The rule is to budget 2x the time and 1.2x the money.", "Lesson 3", "number"),
        # list numbering is not a figure
        ("Keep the frequent answers ready in a cache to answer within 1 second.", "Caching", "number"),
        # a count the lines drawn on do not make; a figure of code that is not the line's
        ("Pre-orders stall for four reasons: missing phone numbers, wrong pickup times and unpaid deposits.",
         "Why pre-orders stall", "number"),
        ("The deck oven cost $47,250.", "Mixer &", "number"),
        ("Startup costs came to $16,150.", "Mixer &", "number"),
        # an aside that claims what the passage does not say
        ("Start the trial with a narrow menu of ten loaves, with the owner approving every recipe.", "narrow menu",
         "clause"),
        # a figure from another row of the table
        ("For several counters, the handbook expects 2–3 months to full use.", "One counter", "number"),
        ("A builder configures the tool, and this person cannot be external.", "Minimum Crew", "negation"),
        ("Money measures are the early signals: weekly active staff, orders drafted per day, session length and "
         "features tried.", "Tier 1", "swap"),
        ("Rollback must be instant once a fault is seen, and signed off by the bank manager.", "instant", "clause"),
        # an aside that adds a claim of its own (", most of it…", ", which…")
        ("Rollback must be instant, under 2 minutes once a fault is seen, which the regional bank auditors require.",
         "instant", "clause"),
        # a role the handbook's vocabulary holds, where the passage has another (kept without that vocabulary)
        ("Testers are 3-6 managers willing to try it.", "Minimum Crew", "entity"),
        # an opposite word is a swap ("internal" where the passage says "can be external")
        ("The builder who configures the tool has to be an internal hire.", "Minimum Crew", "negation"),
        # the role of another line of the list, given this line's figure
        ("It put 6 counter managers on the recipe panel.", "Manager program", "entity"),
        # how often is a hard fact: monthly where the passage counts per week
        ("Quality measures include complaints every month and the error rate of the tool.", "Tier 2", "frequency"),
        # a comparison turned round: "above" where the passage has "<"
        ("The handbook accepts a waste rate above 3%.", "Waste rate", "comparison"),
        # advice turned round: "advises against" what the passage says to do
        ("The handbook advises against keeping the frequent answers ready in a cache.", "Caching", "negation"),
        ("Goodwill from regulars could be measured, and it was real.", "Goodwill", "negation"),
        # an opposite word: "broad" where the passage says "narrow"
        ("Begin the trial with a broad menu of ten loaves.", "narrow menu", "negation"),
        # a figure given to the outcome of the list beside its own ("< 30%" is a criterion to drop, not pause)
        ("If under 30% of drafts are accepted despite retraining, that is a criterion to pause the trial.",
         "DROP", "entity"),
        # a denial of what a line asserts, in a sentence drawn from several lines
        ("Freshness does not have to reach 98%+ of loaves sold the same day, as long as the waste rate stays under 3%.",
         "Freshness", "negation"),
        # what a line marked ❌ says not to do, said as something to do
        ("Add delivery orders to the tool while trialling.", "Delivery orders", "negation"),
        ("A one-size-fits-all menu fits all shops.", "Uneven Use", "negation"),
        # every figure is the passage's, but given to what it gives another figure
        ("Staff turnover accounts for 35% of stalled trials and an unclear owner for 45%.", "Why trials stall",
         "swap"),
        ("Every trial overran its schedule by 10-30%, and its budget by 25-45%.", "Lesson 3", "swap"),
        # a figure the passage rules out, said to hold
        ("The lesson is to bake for 1.5x the expected Saturday rush, not 2x.", "Saturday rush", "swap"),
        # an item of a series the passage holds no word of, beside items it holds
        ("Each van round is planned around traffic, parking and fuel cost.", "Plan each van round", "swap"),
        # what the line insists on said as what it only adds
        ("Train counter staff for operation, not just judgment.", "judgment, not just", "swap"),
        # "just" where the line says "not just": only that, where the line says more than that
        ("Train counter staff for judgment, just operation.", "judgment, not just", "negation"),
        ("Counter staff are trained just for operation.", "judgment, not just", "negation"),
        # the figure of one item of a numbered series said of another item, named by its name or its number
        ("The recipe binder is expected to settle about 30% of questions.", "Level 2", "swap"),
        ("Level 3 settles 30% of the questions staff ask.", "Level 2", "swap"),
        ("Counter B joins in weeks 3-4, and Counter A in weeks 5-6.", "Counter A joins", "swap"),
        # how often one item of a labelled list happens, said of another
        ("Tastings are monthly during the trial.", "Tasting rhythm", "swap"),
        # a figure written as a word, found only in a line that says nothing else of the sentence
        ("An error rate above 8% for six minutes triggers automatic rollback.", "Automatic rollback", "number"),
        # a range made of the ends of two of the passage's ranges
        ("A small shop's setup and testing take 1-4 weeks each.", "Small Shop", "number"),
        # a heading's number said of another phase; a role the passage never names
        ("In phase 3, the counter launch covers one counter, with 10–20 testers for 2–4 weeks.", "Counter launch",
         "number"),
        ("The sponsors' live training opens with 15 minutes of introduction and context, then a 30-minute demo on "
         "real orders from their own counter.", "Live Training", "entity"),
        # two of the passage's names, each put where the other stands
        ("Route small batches to the deck oven, saving the countertop oven for large sourdough batches.",
         "Route small batches", "swap"),
        # the closest line's denial left out
        ("If the trial fails, you have learned what sells.", "Doubts", "negation"),
        # all that a line denies, asserted by a sentence no one line holds most of
        ("Wait for perfect recipes before baking, then refine them weekly.", "Getting started", "negation"),
        ("Yes: the handbook says to wait for perfect recipes before baking, and then refine them weekly.",
         "Getting started", "negation"),
        # a change the other way round: "rose" where the line says "reduction"
        ("Refund denials rose by 40%, with more errors.", "reduction in refund denials", "negation"),
        # another quarter than the one the line names
        ("The ovens broke even in month 19, in the first quarter of year 2.", "broke even in Q4", "number"),
        # a clause after "even though" is read for its own polarity, and what ", which" tells apart from it:
        # "accurate" where the line says "inaccurate"
        ("The flour order failed even though the supplier's price list was accurate, which cost 2 days of calls to "
         "the mill about the price list.", "Supplier Trouble", "negation"),
        # a score band given what another band's line says, though it shares words with its own
        ("At 8-11 the crew is mostly ready and needs some practice.", "Crew Scoring", "swap"),
        ("The cover plan is to train 3 bakers on the tool and 1 more.", "Cover plan", "negation"),
        # the lines of one role said of the role whose label follows them
        ("The counter lead sets the daily bake plan and checks dough quality.", "Head Baker", "swap"),
        # names given the words of another name's line
        ("Phone orders are taken in Deputy or Homebase, and staff rotas are planned in Toast or Square.",
         "Taking phone orders", "swap"),
        ("Orders use Lightspeed as the primary till, with Clover as the fallback if the primary till is down.",
         "Primary till", "swap"),
        ("Over three years countertop ovens came out cheapest at $1.2M, against $3.1M to buy and $2.5M to rent.",
         "three_year_cost", "swap"),
        # a comparison the other way round: "more common" where the line says "less common"
        ("Oven faults are more common than missed deliveries.", "Oven faults are less", "negation"),
        # an opposite word of a compound: "low-risk" where the line says "high-risk"
        ("Burner switches turn off low-risk burners instantly.", "Burner switches", "negation"),
        # "vs" sets one figure against the other: the other way round is a swap
        ("The refit was planned at 6 weeks instead of the 4 it actually took.", "weeks actual", "swap"),
    ],
)  # fmt: skip
def test_a_hard_fact_that_differs_is_removed(verifier, statement, anchor, reason):
    ok, why = supported(verifier, statement, anchor)
    assert not ok, statement
    assert why in (reason, "entity", "coverage", "clause", "meaning", "swap", "frequency", "comparison"), (
        statement,
        why,
    )


def test_verbs_that_report_what_a_document_says_are_not_claims_of_its(verifier):
    meta = verifier.meta_words("Harbour Bakery 30-Day AI Handbook")
    text = "The handbook expects testers, argues for a narrow menu and describes the builder as external."
    words = content_words(text, meta, verifier.corpus.vocabulary.expansions)
    assert {"tester", "narrow", "menu", "builder", "extern"} <= {stem(w) for w in words}, words
    assert not {stem(w) for w in words} & {"expect", "argu", "describ"}, words


def test_a_yes_that_opens_the_answer_is_not_a_claim_of_the_passage(verifier):
    meta = verifier.meta_words("Harbour Bakery 30-Day AI Handbook")
    for text in ("Yes: if the trial fails, you can pivot or stop.", "Yes, you can pivot or stop if it fails."):
        words = content_words(text, meta, verifier.corpus.vocabulary.expansions)
        assert "yes" not in words and {"pivot", "stop"} <= words, words
    # said of the playbook's own answer, it is the sentence's word
    assert "yes" in content_words("The answer is yes.", meta, verifier.corpus.vocabulary.expansions)


def test_a_figure_is_the_quoted_texts_not_a_heading_above_the_passage(verifier):
    # the passage's own heading states it: kept, and the quote starts at that heading
    text = "The third lesson: budget 1.4x the time and 1.2x the money [1]."
    got = verifier.verify(text, [chunk_with(verifier, "Lesson 3")])
    assert got.kept == 1 and got.citations[0].quote.startswith("### Lesson 3: Budget 1.4x Time")
    # a heading above the passage ("Trial Stage (Weeks 1-6)") is not quoted, so its figures are not the passage's
    ok, reason = supported(verifier, "The minimum crew serves weeks 1-6 with a sponsor who pays.", "Minimum Crew")
    assert not ok and reason == "number"


def test_a_long_list_is_read_whole(verifier):
    # a sentence that gathers all seven lines of a list draws on each, the seventh too
    text = (
        "The usual gaps are that new staff don't know the recipes, the rota, the suppliers, the alarm code, "
        "the POS screens, HACCP rules or FIFO rotation [1]."
    )
    got = verifier.verify(text, [chunk_with(verifier, "Common Opening Gaps")])
    assert got.kept == 1, got.reasons
    statement = text[:-4] + "."
    check = verifier.check(statement, verifier.embed([statement])[0], chunk_with(verifier, "Common Opening Gaps"))
    lines = [verifier.corpus.unit_text(i) for i in check.units]
    assert sum(line.startswith("- Don't know") for line in lines) == 7, lines
    ok, _ = supported(verifier, statement.replace("HACCP rules", "HACCP and ISO rules"), "Opening Gaps")
    assert not ok


def test_a_sentence_naming_the_lists_reads_their_labels_together(verifier):
    # three labels, each over its own list: named together, they are read together however far apart
    assert supported(verifier, "The handbook's measures are usage, quality and money measures.", "Tier 1")[0]
    # a label of one list is still not said of another list's lines
    ok, reason = supported(
        verifier, "Money measures are the early signals: weekly active staff and session length.", "Tier 1"
    )
    assert not ok and reason == "swap"


def test_a_line_stating_only_a_duration_is_drawn_on_for_it(verifier):
    # "3 weeks" is the length line's: its only word besides the figure is not the statement's
    assert supported(verifier, "The induction costs $1,200 over 3 weeks, with an 85% pass rate.", "class Induction")[0]
    ok, reason = supported(
        verifier, "The induction costs $1,200 over 4 weeks, with an 85% pass rate.", "class Induction"
    )
    assert not ok and reason == "number"


def test_an_entry_of_code_in_words_is_quoted_and_checked_against(verifier):
    # An entry whose value is words ("tradeoff = ..."), like one whose value is a figure, is a line the
    # offline answer may quote, and a cited sentence is checked against it.
    corpus = verifier.corpus
    chunk = chunk_with(verifier, "class Induction")
    line = next(i for i in corpus.lines_by_chunk[chunk.id] if "Slower proofing" in corpus.unit_text(i))
    assert not corpus.units[line].read_only and line in corpus.units_by_chunk[chunk.id]
    assert supported(verifier, "The tradeoff of the induction is slower proofing on cold mornings.", "class Induction")[
        0
    ]
    ok, _ = supported(verifier, "The tradeoff of the induction is faster proofing on cold mornings.", "class Induction")
    assert not ok


def test_what_code_does_is_checked_against_its_lines_branch_by_branch(verifier):
    # A statement or call says what the code does in its names: read-only lines a sentence is checked against.
    assert supported(verifier, "Wholesale orders are routed to the van driver for delivery.", "class OrderDesk")[0]
    # The action of one branch said of another's condition is a swap.
    ok, reason = supported(verifier, "Wholesale orders are routed to the cake decorator.", "class OrderDesk")
    assert not ok and reason == "swap"


def test_a_sentence_is_quoted_from_the_list_whose_figures_it_states(verifier):
    # three lists of the same lines: the figures say which one the sentence draws on, and its quote is that list's
    text = "That is 2-4 weeks of setup, 4-8 weeks each for testing and cleanup, and 2-4 weeks for review [1]."
    got = verifier.verify(text, [chunk_with(verifier, "Medium Shop")])
    assert got.kept == 1
    quote = got.citations[0].quote
    assert "Setup: 2-4 weeks" in quote and "Review: 2-4 weeks" in quote, quote
    assert "Setup: 4-8 weeks" not in quote and "Setup: 1-2 weeks" not in quote, quote


def test_figures_are_read_with_their_unit():
    assert measures("adds 30–50% and costs 1.5x; 4–6 wks") >= {(30.0, "%"), (50.0, "%"), (1.5, "x"), (6.0, "week")}
    assert figures_missing("2x the money", "### Lesson 2: Budget 1.5x") is True
    assert figures_missing("4–6 weeks of hardening", "| 4–6 wks |") is False
    # an object's member in code: its unit is in its name ("wave: 2," is the second wave)
    assert figures_missing("Wave 2 took 4 weeks", 'wave: 2,\nduration: "4 weeks",') is False
    assert figures_missing("Wave 3 took 4 weeks", 'wave: 2,\nduration: "4 weeks",') is True
    assert figures_missing("4–6 months", "| 4–6 wks |") is True
    assert figures_missing("under 1 second", "1. **Prompt Engineering:** Target: <3 seconds") is True
    assert figures_missing("p99 latency", "p95 latency") is True
    # a duration with a word between its figure and its unit is a duration still
    assert figures_missing("an SLA of 1 business hour", "**Tier 1:** Response SLA: 4 business hours") is True
    # a value in code carries its unit in its name: a share or a duration stated of it is that value
    assert figures_missing("a waste share of 12.5%", '"waste_share": 12.5,  // of flour') is False
    assert figures_missing("a proofing time of 6 hours", "proof_hours = 6  # overnight") is False
    assert figures_missing("a waste share of 12.6%", '"waste_share": 12.5,  // of flour') is True
    assert figures_missing("12.5% of the flour", "Lesson 12.5: Flour") is True


def test_a_range_is_the_sources_range_not_two_ends_of_others():
    bands = "- **8-11:** Needs work\n- **12-15:** Mostly ready\n- **16-20:** Ready"
    assert ranges_missing("Most shops score 12-16.", bands) is True
    assert ranges_missing("Most shops score between 12 and 15.", bands) is False
    assert ranges_missing("Budget $5K-$15K.", "- **Pilot:** $5K-$15K (one-time)") is False
    assert ranges_missing("Budget $5K-$50K.", "- **Pilot:** $5K-$15K\n- **Prototype:** $15K-$50K") is True
    # two figures of one line, said as where something went from and to
    assert ranges_missing("It grew from 8 to 200 users.", "Scale from 8 users to 200+ users") is False


def _verified(statements: int, kept: int) -> Verified:
    return Verified("", [], statements, kept, statements - kept, 0)


def test_a_sentence_citing_two_passages_of_a_document_is_read_against_both(verifier):
    tools, refit = chunk_with(verifier, "Planning staff rotas"), chunk_with(verifier, "weeks actual")
    assert tools.id != refit.id
    kept = verifier.verify(
        "Staff rotas are planned in Deputy or Homebase, and the refit took 6 weeks. [1][2]", [tools, refit]
    )
    assert kept.kept == 1, kept.reasons
    assert "Deputy" in kept.citations[0].quote and "6 weeks" in kept.citations[0].quote
    # each passage alone still holds the sentence to all it says, and together they do too
    wrong = verifier.verify(
        "Staff rotas are planned in Deputy or Homebase, and the refit took 9 weeks. [1][2]", [tools, refit]
    )
    assert wrong.kept == 0
    assert (
        verifier.verify("Staff rotas are planned in Deputy or Homebase, and the refit took 6 weeks. [1]", [tools]).kept
        == 0
    )


def test_removing_a_sentence_keeps_the_rest_and_says_so_in_numbers():
    partly = _verified(5, 3)
    assert keeps_model_answer(partly)
    assert verification_notice(partly, True) == "2 of 5 sentences were removed: the playbook does not support them."
    assert verification_notice(_verified(4, 4), True) is None
    assert keeps_model_answer(_verified(2, 1)) and "1 of 2 sentences was removed" in (
        verification_notice(_verified(2, 1), True) or ""
    )
    # A short answer with a claim removed keeps what is left (a planted error costs the sentence, not
    # the answer); one sentence left of four is too little: the offline answer, and the notice says why.
    assert keeps_model_answer(_verified(3, 1))
    alone = _verified(4, 1)
    assert not keeps_model_answer(alone) and not keeps_model_answer(_verified(3, 0))
    assert not keeps_model_answer(_verified(11, 3))  # less than a third of what the model said survived
    assert keeps_model_answer(_verified(11, 4))
    notice = verification_notice(alone, False) or ""
    assert notice.startswith("3 of 4 sentences") and "offline answer" in notice


def test_a_roles_word_used_as_a_verb_names_no_role():
    """'leads' of 'the bakery leads at 4.2x' is what it does, not the role 'lead'; 'the lead' is the role."""
    from assistant.model.facts import entities

    held = frozenset({"lead", "owner"})
    assert entities("By shop, the bakery leads at 4.2x, followed by the cafe at 3.9x.", held) == set()
    assert entities("Late orders can lead to refunds.", held) == set()
    assert entities("The lead signs off the rota at 4.2x the pace.", held) == {"lead"}
