"""A contrast ("A rather than B", "A, not B", "A without B") may be paraphrased but not turned round, and a
denial is read where the playbook makes it: under a list's label, as a preference, as an opposite word."""

from __future__ import annotations

import pytest

_CASES = "Train staff on real cases, not slide decks."
_TESTERS = "Extra testers add noise without adding much signal in the first weeks."
_CLERKS = "Without the assistant, the shop would need 12 more clerks. With the assistant, it needed only 2."
_CRITERIA = "Targets are set before the trial starts — not after the results arrive."
_TEAMS = "Not every team needs to use it the same way."
_WISH = "I'd rather bake one loaf well than fail to bake ten loaves at once."
_TASTING = "- **Problem:** Skip the tasting panel\n- **Solution:** Taste every batch"
_STALE = "**1. Stale Stock**\n- **Problem:** Loaves sit overnight\n- **Solution:** Bake to order"
_ROTA = "- **Problem:** Rota built alone\n- **Solution:** Ask the bakers from day 1"
_SIGN_OFF = "Without oven checks and sign-off, openings fail."


@pytest.mark.parametrize(
    "statement, passage, turned",
    [
        ("Staff are trained on slide decks rather than real cases.", _CASES, True),
        ("Staff are trained on real cases rather than slide decks.", _CASES, False),
        ("Extra testers add signal without adding much noise in the first weeks.", _TESTERS, True),
        ("More testers bring noise without much more signal early on.", _TESTERS, False),
        ("With the assistant the shop needed only 2 more clerks instead of 12.", _CLERKS, False),
        ("Targets are set after the results arrive, not before the trial starts.", _CRITERIA, True),
        ("Targets are set before the trial starts, not once the results arrive.", _CRITERIA, False),
        ("Teams don't all need to use it the same way.", _TEAMS, False),
        # a wish ("I'd rather A than B") holds A as "A rather than B" does
        ("The owner would rather try ten loaves at once than bake one loaf well.", _WISH, True),
        ("The owner would rather bake one loaf well than fail at ten loaves at once.", _WISH, False),
        # both deny one thing, each with other words beside it: nothing is turned round
        ("The others are skimping on training, so staff don't trust the new ovens.",
         "The causes are: skimping on training (buying ovens staff do not trust); and rushing the launch.", False),
        ("Oven faults, such as an oven that doesn't heat evenly or a slow timer, are rarer than staffing ones.",
         "Oven faults — the oven does not heat evenly, the timer is too slow — are rarer than staffing ones.", False),
        # a denial that ends a label denies what the label heads, with nothing set against it
        ("The guide's approach is to avoid tasters who will praise any loaf, because their feedback is unreliable.",
         "**Tasting Panel:**\n- **Too Sweet (Avoid):** Tasters who will praise any loaf (unreliable feedback)", False),
    ],
)  # fmt: skip
def test_a_contrast_may_be_reworded_but_not_turned_round(statement, passage, turned):
    from assistant.model.contrast import contrast_turned

    assert contrast_turned(statement, passage) is turned


@pytest.mark.parametrize(
    "statement, passage, agrees",
    [
        # "rather than" denies what follows it, as "not" does
        ("Staff are trained on real cases rather than slide decks.", _CASES, True),
        ("Staff are trained on slide decks and real cases.", _CASES, False),
        # a preference said as a comparison denies its second half
        ("Extend the trial rather than rush to launch.", "Better to extend the trial than rush to launch.", True),
        # a list's item is said of its label
        ("One shop doing most of the orders is a bad sign.",
         "**If one shop does most of the orders:**\n- Not necessarily bad (some shops sell more)", False),
        ("One shop doing most of the orders is not necessarily bad.",
         "**If one shop does most of the orders:**\n- Not necessarily bad (some shops sell more)", True),
        # opposite words, and opposites made by a prefix
        ("A positive forecast, even in the best case, means stop.", "- Forecast negative even in best case", False),
        ("Teams overestimate integration effort, so start simple.",
         "- **Problem:** Underestimate integration effort\n- **Solution:** Start simple", False),
        ("Teams underestimate integration effort, so start simple.",
         "- **Problem:** Underestimate integration effort\n- **Solution:** Start simple", True),
        # a denial that closes a clause ("assume nothing") denies the words before it, not the whole line
        ("Check every order and assume nothing.", "- Check every order, assume nothing", True),
        ("Check every order and assume everything.", "- Check every order, assume nothing", False),
        # a line naming what goes wrong may be said as it is or as advice against it
        ("Balance speed with quality so that quick fixes don't pile up.",
         "- **Problem:** Quick fixes pile up\n- **Solution:** Balance speed with quality", True),
        ("Don't balance speed with quality.",
         "- **Problem:** Quick fixes pile up\n- **Solution:** Balance speed with quality", False),
        # ...but not as advice to do what goes wrong
        ("The advice is to skip the tasting panel.", _TASTING, False),
        ("Skipping the tasting panel is the problem, and you should taste every batch.", _TASTING, True),
        # ...and so does the heading over such a line
        ("The handbook warns against stale stock: bake to order.", _STALE, True),
        ("The handbook recommends stale stock.", _STALE, False),
        # a colon sets a clause apart: the denial before it is not said of the line the part after it draws on
        ("Don't build the rota alone: ask the bakers from day 1.", _ROTA, True),
        ("Build the rota alone: don't ask the bakers from day 1.", _ROTA, False),
        # a denial of two things joined by "and" denies each of them
        ("Without oven checks and sign-off, openings fail.", _SIGN_OFF, True),
        ("With sign-off, openings fail.", _SIGN_OFF, False),
        # a denial that ends a label denies what the label heads
        ("Avoid bakers who will praise any loaf.",
         "- **Too Sweet (Avoid):** Bakers who will praise any loaf (flattering feedback)", True),
        ("Choose bakers who will praise any loaf.",
         "- **Too Sweet (Avoid):** Bakers who will praise any loaf (flattering feedback)", False),
        # one denial over two lines, one of which the passage denies and the other it asserts
        ("The cost is orders that don't get packed or get shipped late, vans that aren't loaded, tills that "
         "aren't counted.",
         "**The cost:**\n- Orders don't get packed\n- Orders get shipped late\n- Vans aren't loaded\n"
         "- Tills aren't counted", True),
    ],
)  # fmt: skip
def test_a_denial_is_read_where_and_how_the_playbook_makes_it(statement, passage, agrees):
    from assistant.model.meaning import polarity_agrees

    assert polarity_agrees(statement, passage) is agrees


def test_the_words_naming_the_document_do_not_decide_which_line_a_clause_speaks_of():
    from assistant.model.meaning import polarity_agrees

    passage = "Don't wait for perfect data. Start with available data and improve iteratively."
    statement = "Yes: the bakery handbook says to wait for perfect data before starting"
    meta = frozenset({"yes", "bakery", "handbook", "says"})
    assert not polarity_agrees(statement, passage, meta)
    assert polarity_agrees(statement.replace("to wait", "not to wait"), passage, meta)


@pytest.mark.parametrize(
    "statement, turned",
    [
        ("When tasting, season first, then taste later.", True),
        ("When tasting, taste first and then season.", False),
        ("Taste before you season.", False),
    ],
)
def test_two_steps_may_not_be_put_in_the_other_order(statement, turned):
    from assistant.model.contrast import contrast_turned

    passage = "- **Solution:** Taste first, season later"
    assert contrast_turned(statement, passage) is turned


_BAKERY_ROLLOUT = [
    "- Phase 1: Head bakers (learn first, become trainers)",
    "- Phase 2: Shift leads (bulk of staff)",
    "- Phase 3: Apprentices",
    "**Cons:** Apprentices may resent waiting",
]


@pytest.mark.parametrize(
    "statement, swapped",
    [
        ("Apprentices go first so that they learn early and become trainers.", True),
        ("Head bakers go first so that they learn early and become trainers.", False),
        ("Head bakers may resent waiting.", True),
        ("Apprentices may resent waiting.", False),
        ("Shift leads, the bulk of staff, come second.", False),
    ],
)
def test_one_item_of_a_series_is_not_said_for_another(statement, swapped):
    from assistant.model.pairs import name_swapped, series_items

    assert name_swapped(statement, series_items(_BAKERY_ROLLOUT), _BAKERY_ROLLOUT) is swapped


_OWNERS = (
    "Every shop system needs two owners: a technical owner responsible for uptime and speed, and a process "
    "owner responsible for how staff use it and how results are measured."
)


_SHOP_RISKS = """**Common Risks:**
1. **Oven Risks:**
   - Burnt crust
   - Uneven heat
   - Broken thermostat
2. **Supply Risks:**
   - Damp flour
   - Late delivery
   - Missing yeast"""


@pytest.mark.parametrize(
    "passage, statement, turned",
    [
        (_OWNERS, "It needs a process owner for uptime and speed, and a technical owner for how staff use it.", True),
        (_OWNERS, "It needs a technical owner for uptime and speed, and a process owner for how staff use it.", False),
        (_OWNERS, "A technical owner keeps it up and fast, and a process owner sees how results are measured.", False),
        # two lists, each under its label: the items of one are not said under the other's
        (_SHOP_RISKS, "Oven risks are damp flour and late delivery, while supply risks are burnt crust and uneven "
         "heat.", True),
        (_SHOP_RISKS, "Oven risks are burnt crust and uneven heat, while supply risks are damp flour and late "
         "delivery.", False),
        (_SHOP_RISKS, "Supply risks include missing yeast, and oven risks a broken thermostat.", False),
    ],
)  # fmt: skip
def test_two_things_the_passage_pairs_each_with_its_own_part_are_not_said_each_with_the_other(
    passage, statement, turned
):
    from assistant.model.contrast import pairing_turned

    assert pairing_turned(statement, passage, frozenset()) is turned


_RHYTHM = ["Weekly tastings with the staff.", "Daily briefings with the bakers.", "Monthly reviews with the owner."]


@pytest.mark.parametrize(
    "statement, moved",
    [
        ("Hold daily tastings with the staff and weekly briefings with the bakers.", True),
        ("Hold weekly tastings with the staff and daily briefings with the bakers.", False),
        ("Taste with the staff every week, and brief the bakers each day.", False),
        ("Review with the owner monthly.", False),
    ],
)  # fmt: skip
def test_how_often_is_said_of_what_the_passage_gives_it_to(statement, moved):
    from assistant.model.pairs import figure_moved, segments_of

    segments = [s for line in _RHYTHM for s in segments_of(line)]
    assert figure_moved(statement, segments, frozenset()) is moved


_TRIAL = "**Mistake:** Scaling before proving\n**Fix:** Prove at pilot, scale in production"


@pytest.mark.parametrize(
    "statement, turned",
    [
        # two stages of a line, each given the other's part; parts set apart by a comma, "and" or a colon
        ("The handbook warns against early scaling: prove in production and scale at the pilot.", True),
        ("The handbook warns against early scaling: prove at the pilot and scale in production.", False),
        ("Prove it in the pilot first, then scale it in production.", False),
        # without the stages and roles held, parts a comma sets apart are not read as paired
        ("The handbook warns against early scaling: prove in production and scale at the pilot.", None),
    ],
)  # fmt: skip
def test_two_stages_of_a_line_are_not_said_each_with_the_others_part(statement, turned):
    from assistant.model.contrast import pairing_turned

    held = frozenset({"pilot", "production"}) if turned is not None else frozenset()
    assert pairing_turned(statement, _TRIAL, frozenset(), held) is bool(turned)
