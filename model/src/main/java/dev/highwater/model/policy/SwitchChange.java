package dev.highwater.model.policy;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * One behaviour switch of a {@link KernelPolicy} set to another value: a leaf of the policy record, named by its path
 * ({@code highatomicCap}, {@code mm.forceUnreserve}, {@code mm.oom.laterWinsTies}, {@code watermarkRules.minFreeKbytesCap}).
 * The switches are the components of {@link KernelPolicy} and of the records inside it ({@link MmRules},
 * {@link OomRules}, {@code WatermarkRules}); the preset's name and description are not switches.
 *
 * <p>A preset is written as its predecessor plus commits ({@link Presets}), so the changes between two presets are the
 * commits between them as the model sees them: {@link #between} lists them, and {@link #applyTo} makes the policy
 * that has one of them alone, which is how a violation is told which later kernel change removes it.
 *
 * @param path  the switch, components joined by dots, as the record spells them
 * @param value its value in the other policy (an enum constant, a Boolean or an Integer)
 */
public record SwitchChange(String path, Object value) {
    public SwitchChange {
        Objects.requireNonNull(path);
        Objects.requireNonNull(value);
    }

    /** Components of {@link KernelPolicy} that name it rather than describe its behaviour. */
    private static final List<String> NOT_SWITCHES = List.of("name", "description");

    /**
     * The switches where {@code to} differs from {@code from}, each with {@code to}'s value, in declaration order
     * (depth first through the nested records): deterministic, the same list on every call.
     */
    public static List<SwitchChange> between(KernelPolicy from, KernelPolicy to) {
        List<SwitchChange> out = new ArrayList<>();
        diff("", from, to, out);
        return List.copyOf(out);
    }

    private static void diff(String prefix, Record a, Record b, List<SwitchChange> out) {
        for (RecordComponent c : a.getClass().getRecordComponents()) {
            if (prefix.isEmpty() && NOT_SWITCHES.contains(c.getName())) {
                continue;
            }
            Object x = read(c, a);
            Object y = read(c, b);
            if (Objects.equals(x, y)) {
                continue;
            }
            String path = prefix + c.getName();
            if (x instanceof Record rx && y instanceof Record ry) {
                diff(path + ".", rx, ry, out);
            } else {
                out.add(new SwitchChange(path, y));
            }
        }
    }

    /**
     * The smallest sets of the changes from {@code from} to {@code to} ({@link #between}) that, applied to
     * {@code from} alone, make {@code works} hold: every single change that does, else every pair that does (a fix
     * can span two switches: 281dd25c1a01's highatomic access needs 6.3's reserve flags to name the requests it
     * serves), else none. In {@link #between}'s order. A policy with some switches changed may be a combination no
     * kernel had: one that makes {@code works} throw counts as not working. Costs one test per change, and when none
     * works alone one per pair.
     */
    public static List<List<SwitchChange>> smallestSufficient(KernelPolicy from, KernelPolicy to,
                                                              Predicate<KernelPolicy> works) {
        List<SwitchChange> changes = between(from, to);
        List<List<SwitchChange>> out = new ArrayList<>();
        for (SwitchChange c : changes) {
            if (test(works, c.applyTo(from))) {
                out.add(List.of(c));
            }
        }
        if (!out.isEmpty()) {
            return List.copyOf(out);
        }
        for (int i = 0; i < changes.size(); i++) {
            KernelPolicy one = changes.get(i).applyTo(from);
            for (int j = i + 1; j < changes.size(); j++) {
                if (test(works, changes.get(j).applyTo(one))) {
                    out.add(List.of(changes.get(i), changes.get(j)));
                }
            }
        }
        return List.copyOf(out);
    }

    private static boolean test(Predicate<KernelPolicy> works, KernelPolicy p) {
        try {
            return works.test(p);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** {@code highatomicCap=ROUNDUP_ONE_PERCENT}, or for a pair {@code a=X with b=Y}. */
    public static String describe(List<SwitchChange> set) {
        StringBuilder sb = new StringBuilder();
        for (SwitchChange c : set) {
            sb.append(sb.length() == 0 ? "" : " with ").append(c);
        }
        return sb.toString();
    }

    /**
     * {@link #smallestSufficient}'s sets in words: {@code a=X alone}, {@code a=X or b=Y, each alone},
     * {@code a=X with b=Y together}, {@code a=X with b=Y, or c=Z with d=W, each pair together}; empty for none.
     */
    public static String describeSets(List<List<SwitchChange>> sets) {
        if (sets.isEmpty()) {
            return "";
        }
        boolean pairs = sets.get(0).size() > 1;
        StringBuilder sb = new StringBuilder();
        for (List<SwitchChange> set : sets) {
            sb.append(sb.length() == 0 ? "" : pairs ? ", or " : " or ").append(describe(set));
        }
        return sb.append(pairs ? (sets.size() > 1 ? ", each pair together" : " together")
            : sets.size() > 1 ? ", each alone" : " alone").toString();
    }

    /**
     * Whether {@code policy} has this switch at {@link #value}: setting it changes nothing. False for a path or value
     * {@link #applyTo} refuses.
     */
    public boolean isIn(KernelPolicy policy) {
        try {
            return applyTo(policy).equals(policy);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** {@code policy} with this switch set to {@link #value} and every other switch (and its name) as it was. */
    public KernelPolicy applyTo(KernelPolicy policy) {
        return (KernelPolicy) with(policy, Arrays.asList(path.split("\\.")), 0);
    }

    private Record with(Record r, List<String> names, int i) {
        RecordComponent[] cs = r.getClass().getRecordComponents();
        Object[] args = new Object[cs.length];
        Class<?>[] types = new Class<?>[cs.length];
        boolean found = false;
        for (int k = 0; k < cs.length; k++) {
            types[k] = cs[k].getType();
            args[k] = read(cs[k], r);
            if (cs[k].getName().equals(names.get(i))) {
                found = true;
                if (i + 1 < names.size()) {
                    if (!(args[k] instanceof Record inner)) {
                        throw new IllegalArgumentException("no switch " + path + " in a policy");
                    }
                    args[k] = with(inner, names, i + 1);
                } else if (!box(types[k]).isInstance(value)) {
                    throw new IllegalArgumentException("switch " + path + " takes " + types[k].getSimpleName()
                        + ", not " + value);
                } else {
                    args[k] = value;
                }
            }
        }
        if (!found) {
            throw new IllegalArgumentException("no switch " + path + " in a policy");
        }
        try {
            Constructor<?> canonical = r.getClass().getDeclaredConstructor(types);
            return (Record) canonical.newInstance(args);
        } catch (NoSuchMethodException | InstantiationException | IllegalAccessException e) {
            throw new IllegalStateException("cannot rebuild " + r.getClass().getSimpleName(), e);
        } catch (InvocationTargetException e) {
            throw new IllegalArgumentException("switch " + path + " = " + value + ": " + e.getCause().getMessage(),
                e.getCause());
        }
    }

    private static Class<?> box(Class<?> t) {
        if (t == boolean.class) {
            return Boolean.class;
        }
        if (t == int.class) {
            return Integer.class;
        }
        if (t == long.class) {
            return Long.class;
        }
        return t;
    }

    private static Object read(RecordComponent c, Record r) {
        try {
            return c.getAccessor().invoke(r);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + c.getName(), e);
        }
    }

    /** {@code mm.forceUnreserve=WHENEVER_RETRY_FAILS}. */
    @Override
    public String toString() {
        return path + "=" + value;
    }
}
