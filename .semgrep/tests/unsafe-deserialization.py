import marshal
import pickle
import shelve

import yaml


def load(data, path):
    # ruleid: unsafe-deserialization
    pickle.loads(data)
    # ruleid: unsafe-deserialization
    marshal.loads(data)
    # ruleid: unsafe-deserialization
    shelve.open(path)
    # ruleid: unsafe-deserialization
    yaml.load(data)
    # ruleid: unsafe-deserialization
    yaml.load(data, Loader=yaml.Loader)
    # ruleid: unsafe-deserialization
    yaml.unsafe_load(data)
    # ok: unsafe-deserialization
    yaml.safe_load(data)
    # ok: unsafe-deserialization
    yaml.load(data, Loader=yaml.SafeLoader)
