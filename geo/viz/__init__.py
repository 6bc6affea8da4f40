"""Figure and map builders (plotly charts, folium maps); no Streamlit here."""
