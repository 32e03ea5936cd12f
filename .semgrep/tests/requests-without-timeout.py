import urllib.request

import requests


def _session():
    return requests.Session()


def calls(url):
    # ruleid: requests-without-timeout
    requests.get(url)
    # ruleid: requests-without-timeout
    requests.post(url, json={})
    # ruleid: requests-without-timeout
    _session().post(url, json={})
    session = requests.Session()
    # ruleid: requests-without-timeout
    session.get(url)
    # ruleid: requests-without-timeout
    urllib.request.urlopen(url)
    # ok: requests-without-timeout
    requests.get(url, timeout=(3, 10))
    # ok: requests-without-timeout
    _session().post(url, json={}, timeout=10)
    # ok: requests-without-timeout
    session.get(url, timeout=5)
