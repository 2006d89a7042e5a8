import asyncio
from hypothesis import given, settings, HealthCheck, strategies as st

@settings(max_examples=5, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(x=st.integers())
async def test_tiny(bot, x):
    status, body = await bot.get("/healthz")
    assert status == 200
    print("loop", id(asyncio.get_running_loop()), x)
