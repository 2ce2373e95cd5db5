"""Between visits: the therapist's home plan (:mod:`romcam.home.plan`), the client's home
check and the results file that goes back to the clinic (docs/home.md)."""
