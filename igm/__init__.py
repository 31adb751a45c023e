"""igm: a small, pure-Python model of the Integratief Gedragsmodel (IGM) for learning.

Predictions are illustrative, not validated: a model for learning and discussion, never a
decision tool about real people. See :mod:`igm.model` for the formula.
"""

from igm.cases import Case, CaseError, Intervention, find_case, list_cases, load_case
from igm.determinants import DETERMINANTS, KUNNEN, WILLEN, DeterminantScores
from igm.model import Comparison, Lever, Model, Prediction, model_for
from igm.weights import DOMAINS

__all__ = [
    "DETERMINANTS",
    "DOMAINS",
    "KUNNEN",
    "WILLEN",
    "Case",
    "CaseError",
    "Comparison",
    "DeterminantScores",
    "Intervention",
    "Lever",
    "Model",
    "Prediction",
    "find_case",
    "list_cases",
    "load_case",
    "model_for",
]
