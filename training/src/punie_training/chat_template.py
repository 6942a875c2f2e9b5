"""The chat template of Punie's own models: the Qwen3-Coder wire format, kept short.

It renders exactly what Qwen3-Coder's template renders where it matters to mlx-lm
and to the server: ``<|im_start|>role\\n…<|im_end|>`` turns, the tool list inside
the system turn, assistant tool calls as
``<tool_call>\\n<function=NAME>\\n<parameter=ARG>\\nVALUE\\n</parameter>\\n</function>\\n</tool_call>``
and tool results as ``<tool_response>`` blocks in a user turn. The boilerplate that
Qwen3-Coder adds around the tool list is cut short and the list is one line, because
every token of the system turn is paid by every example a tiny model is trained on.
"""

from functools import cache
from typing import Any

from jinja2.sandbox import ImmutableSandboxedEnvironment

CHAT_TEMPLATE = """\
{%- if messages[0].role == "system" %}
    {%- set system_message = messages[0].content %}
    {%- set loop_messages = messages[1:] %}
{%- else %}
    {%- set loop_messages = messages %}
{%- endif %}
{%- if not tools is defined or tools is none %}
    {%- set tools = [] %}
{%- endif %}
{%- if system_message is defined or tools | length > 0 %}
    {{- "<|im_start|>system\\n" }}
    {%- if system_message is defined %}
        {{- system_message }}
    {%- endif %}
    {%- if tools | length > 0 %}
        {#- One line per tool: the tool list costs a tiny model only a few tokens. #}
        {{- "\\n\\n# Tools\\n<tools>" }}
        {%- for tool in tools %}
            {%- if tool.function is defined %}
                {%- set tool = tool.function %}
            {%- endif %}
            {{- "<function><name>" ~ tool.name ~ "</name>" }}
            {%- if tool.description is defined %}
                {{- "<description>" ~ (tool.description | trim) ~ "</description>" }}
            {%- endif %}
            {{- "<parameters>" }}
            {%- if tool.parameters is defined and tool.parameters.properties is defined %}
                {%- for name, fields in tool.parameters.properties | items %}
                    {{- "<parameter><name>" ~ name ~ "</name>" }}
                    {%- if fields.type is defined %}
                        {{- "<type>" ~ fields.type ~ "</type>" }}
                    {%- endif %}
                    {%- if fields.description is defined %}
                        {{- "<description>" ~ (fields.description | trim) ~ "</description>" }}
                    {%- endif %}
                    {{- "</parameter>" }}
                {%- endfor %}
            {%- endif %}
            {{- "</parameters></function>" }}
        {%- endfor %}
        {{- "</tools>\\nTo call a function reply with <tool_call>, <function=NAME>, " }}
        {{- "<parameter=ARG> VALUE </parameter>, </function>, </tool_call>, one per line." }}
    {%- endif %}
    {{- "<|im_end|>\\n" }}
{%- endif %}
{%- for message in loop_messages %}
    {%- if message.role == "assistant" and message.tool_calls is defined and message.tool_calls %}
        {{- "<|im_start|>assistant" }}
        {%- if message.content is string and message.content | trim %}
            {{- "\\n" + message.content | trim }}
        {%- endif %}
        {%- for tool_call in message.tool_calls %}
            {%- if tool_call.function is defined %}
                {%- set tool_call = tool_call.function %}
            {%- endif %}
            {{- "\\n<tool_call>\\n<function=" + tool_call.name + ">\\n" }}
            {%- for name, value in tool_call.arguments | items %}
                {{- "<parameter=" + name + ">\\n" }}
                {%- if value is mapping or (value is sequence and value is not string) %}
                    {{- value | tojson | safe }}
                {%- else %}
                    {{- value | string }}
                {%- endif %}
                {{- "\\n</parameter>\\n" }}
            {%- endfor %}
            {{- "</function>\\n</tool_call>" }}
        {%- endfor %}
        {{- "<|im_end|>\\n" }}
    {%- elif message.role == "tool" %}
        {%- if loop.first or loop.previtem.role != "tool" %}
            {{- "<|im_start|>user\\n" }}
        {%- endif %}
        {{- "<tool_response>\\n" + message.content + "\\n</tool_response>\\n" }}
        {%- if loop.last or loop.nextitem.role != "tool" %}
            {{- "<|im_end|>\\n" }}
        {%- endif %}
    {%- else %}
        {{- "<|im_start|>" + message.role + "\\n" + message.content + "<|im_end|>\\n" }}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- "<|im_start|>assistant\\n" }}
{%- endif %}
"""


@cache
def _compiled() -> Any:
    # The environment transformers renders chat templates with.
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    return env.from_string(CHAT_TEMPLATE)


def render_chat(
    messages: list[dict[str, Any]],
    tools: list[dict[str, Any]] | None = None,
    *,
    add_generation_prompt: bool = False,
) -> str:
    """Render a chat as text without a tokenizer (used to train the tokenizer itself)."""
    return _compiled().render(
        messages=messages, tools=tools, add_generation_prompt=add_generation_prompt
    )
