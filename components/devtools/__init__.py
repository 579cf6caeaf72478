"""Tools for tests, benches and screenshots: a loopback fake upstream, generated images, and a
Streamlit server plus headless Chromium. Never imported by the app itself."""
