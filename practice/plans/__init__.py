"""The couple's treatment plan: goals, measurable objectives, interventions, versions."""
