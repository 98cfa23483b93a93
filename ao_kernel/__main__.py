"""``python -m ao_kernel -f {connection_file}``: start the AO kernel (the kernelspec's argv)."""

from __future__ import annotations


def main() -> None:
    from ipykernel.kernelapp import IPKernelApp

    from .jupyter.kernel import AOKernel

    IPKernelApp.launch_instance(kernel_class=AOKernel)


if __name__ == "__main__":
    main()
