"""The importer reads the labelled pages in tests/data/ well (see bench/importer_eval.py)."""

from bench.importer_eval import GOAL, evaluate


def test_it_reads_every_labelled_page_s_structure():
    assert evaluate().structure_errors == []


def test_it_meets_the_precision_and_recall_goal_for_quotes_speakers_and_organisations():
    evaluation = evaluate()
    assert evaluation.pages >= 8
    for name, score in evaluation.scores.items():
        assert score.precision >= GOAL, (name, evaluation.misses)
        assert score.recall >= GOAL, (name, evaluation.misses)
