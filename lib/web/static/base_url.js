window.__streamlit = Object.assign({}, window.__streamlit, {BACKEND_BASE_URL: new URL(__BASE_PATH__, window.location.origin).href});
