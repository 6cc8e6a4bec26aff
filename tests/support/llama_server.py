"""Run llama-cpp-python's OpenAI-compatible server (`python -m llama_cpp.server`), usable on every CPU.

Same command-line arguments as `python -m llama_cpp.server`. The one difference: the CPU backend's
"extra buffer types" (weight repacking for AMX and similar) are turned off. A build made with
`-march=native` on a CPU that advertises AMX crashes with SIGSEGV on the first request when the
system does not grant the AMX tile state (as in some sandboxes); plain kernels work everywhere, and
a 270M model does not need the speed.
"""

from __future__ import annotations

import llama_cpp.llama_cpp as bindings

_default_model_params = bindings.llama_model_default_params


def _model_params_without_extra_buffers():
    params = _default_model_params()
    params.use_extra_bufts = False
    return params


def main() -> None:
    bindings.llama_model_default_params = _model_params_without_extra_buffers
    from llama_cpp.server.__main__ import main as serve

    serve()


if __name__ == "__main__":
    main()
