"""The EEA countries (all map to the GDPR) and each one's supervisory authority.

Authority names are from general knowledge [U]; the GDPR fixes only the role (Arts. 51, 55-56).
"""

from __future__ import annotations

from typing import Final

# EU 27 + Iceland, Liechtenstein, Norway (EEA Agreement, Annex XI as amended).
SUPERVISORY_AUTHORITIES: Final[dict[str, str]] = {
    "AT": "Österreichische Datenschutzbehörde",
    "BE": "Autorité de protection des données / Gegevensbeschermingsautoriteit",
    "BG": "Commission for Personal Data Protection (Bulgaria)",
    "HR": "Agencija za zaštitu osobnih podataka (AZOP)",
    "CY": "Commissioner for Personal Data Protection (Cyprus)",
    "CZ": "Úřad pro ochranu osobních údajů (ÚOOÚ)",
    "DK": "Datatilsynet (Denmark)",
    "EE": "Andmekaitse Inspektsioon",
    "FI": "Office of the Data Protection Ombudsman (Finland)",
    "FR": "Commission nationale de l'informatique et des libertés (CNIL)",
    "DE": "competent German supervisory authority (Land authority of the main establishment)",
    "GR": "Hellenic Data Protection Authority",
    "HU": "Nemzeti Adatvédelmi és Információszabadság Hatóság (NAIH)",
    "IE": "Data Protection Commission (Ireland)",
    "IT": "Garante per la protezione dei dati personali",
    "LV": "Datu valsts inspekcija",
    "LT": "Valstybinė duomenų apsaugos inspekcija",
    "LU": "Commission nationale pour la protection des données (CNPD, Luxembourg)",
    "MT": "Information and Data Protection Commissioner (Malta)",
    "NL": "Autoriteit Persoonsgegevens",
    "PL": "Urząd Ochrony Danych Osobowych (UODO)",
    "PT": "Comissão Nacional de Proteção de Dados (CNPD, Portugal)",
    "RO": "Autoritatea Națională de Supraveghere a Prelucrării Datelor cu Caracter Personal",
    "SK": "Úrad na ochranu osobných údajov Slovenskej republiky",
    "SI": "Informacijski pooblaščenec (Slovenia)",
    "ES": "Agencia Española de Protección de Datos (AEPD)",
    "SE": "Integritetsskyddsmyndigheten (IMY)",
    "IS": "Persónuvernd (Iceland)",
    "LI": "Datenschutzstelle Liechtenstein",
    "NO": "Datatilsynet (Norway)",
}
EEA: Final[frozenset[str]] = frozenset(SUPERVISORY_AUTHORITIES)
