package dev.highwater.properties;

/** The id, statement, rule and family of a property, held once; subclasses implement {@link #check}. */
public abstract class BaseProperty implements Property {
    private final String id;
    private final String statement;
    private final String rule;
    private final Family family;

    protected BaseProperty(String id, String statement, String rule, Family family) {
        this.id = id;
        this.statement = statement;
        this.rule = rule;
        this.family = family;
    }

    @Override
    public final String id() {
        return id;
    }

    @Override
    public final String statement() {
        return statement;
    }

    @Override
    public final String rule() {
        return rule;
    }

    @Override
    public final Family family() {
        return family;
    }

    @Override
    public String toString() {
        return id;
    }
}
