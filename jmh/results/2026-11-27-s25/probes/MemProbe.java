package io.daxrmap.index;

public final class MemProbe
{
    public static void main(final String[] args)
    {
        for (final String name : args)
        {
            BenchData.load(name).index().close();
        }
    }
}
