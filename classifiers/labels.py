"""The label set and the rule-6 actions (ARCHITECTURE.md); other tools rely on these names."""

LABELS = ("praise", "criticism", "factual_error", "offensive", "policy_question", "other")

# Strongest first: when labels ask for different actions, the strongest wins.
ACTIONS = ("respond", "consider_response", "signal", "none")
