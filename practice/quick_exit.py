"""The quick-exit button of pages about safety: it leads to an ordinary, neutral site and
signs the partner out, in case someone else is looking over their shoulder."""

QUICK_EXIT_URL = "https://weather.com/"
