"""Playbook Coach: answers from the AI pilot-to-production playbook, with checked citations.

Importing the package is cheap: heavy libraries (torch, llama-index, chromadb, gradio) load only
when a command or service needs them.
"""

__version__ = "0.1.0"
