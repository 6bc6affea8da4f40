"""Accessibility statement: what was tested, how, the known gaps and how to report a problem."""

import streamlit as st

from ui.i18n import _

st.title(_("Accessibility statement"))
st.markdown(_(
    "This dashboard aims to meet the Web Content Accessibility Guidelines (WCAG) 2.1 at level AA, "
    "the level required by EN 301 549 and the EU Web Accessibility Directive."
))
st.subheader(_("What we test"))
st.markdown(_(
    "- Automated checks: axe-core {version} runs in a real browser on every page, in Ukrainian and in English, "
    "at desktop (1440×900) and phone (390×844) sizes, with the WCAG 2.0/2.1 A and AA rules. "
    "A serious or critical finding fails the test suite.\n"
    "- Keyboard: every control can be reached with Tab and used with Enter, Space or the arrow keys; "
    "the keyboard focus is always visible.\n"
    "- The map: under it, a sentence says what it shows and a list lets you choose any incident it shows "
    "with the keyboard; its details then appear beside the map, as after a click on the marker. "
    "The table behind the map is one click away.\n"
    "- Charts: each chart has a summary sentence (what it shows, how many values, the largest ones) "
    "and the table behind it under \"Data behind this chart\".\n"
    "- Colour: text has a contrast of at least 4.5:1; the colour palettes are safe for the common "
    "colour-vision deficiencies, and target types are also named in the list, the table and the popups.\n"
    "- The page language is set to the language you chose, so screen readers pronounce it correctly.",
    version="4.14.1",
))
st.subheader(_("Known limitations"))
st.markdown(_(
    "- Map markers themselves cannot be reached with the Tab key inside the map; use the list under the map.\n"
    "- Some parts come from the Streamlit framework and cannot be changed by us; the technical details "
    "are in docs/ACCESSIBILITY.md in the project."
))
st.subheader(_("Report a problem"))
st.markdown(_(
    "If something is hard to use, please open an issue in the project's issue tracker and describe the page, "
    "what you tried and the assistive technology you use. We answer in Ukrainian or English."
))
