/*
 * The real-engine test lane (tests/engine/run.sh) runs Elasticsearch's minimal distribution, the
 * integ-test-zip that Maven Central serves. It lacks the analysis-common module, so it knows no
 * language analyzer, and newsflow's template maps text_<lang> fields to them.
 *
 * This plugin registers the analyzers newsflow uses under analysis-common's names, built as
 * analysis-common builds them: the same Lucene analyzer classes (lucene-analysis-common ships in
 * the distribution's lib/), the same default stop words, and the `stopwords` and
 * `stem_exclusion` settings read by the same Elasticsearch helpers. Test-lane only: a full
 * Elasticsearch has these analyzers already.
 */
package io.newsflow.engine;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Supplier;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.ar.ArabicAnalyzer;
import org.apache.lucene.analysis.de.GermanAnalyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.es.SpanishAnalyzer;
import org.apache.lucene.analysis.fr.FrenchAnalyzer;
import org.apache.lucene.analysis.it.ItalianAnalyzer;
import org.apache.lucene.analysis.pt.PortugueseAnalyzer;
import org.apache.lucene.analysis.ru.RussianAnalyzer;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.analysis.AbstractIndexAnalyzerProvider;
import org.elasticsearch.index.analysis.Analysis;
import org.elasticsearch.index.analysis.AnalyzerProvider;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;

public final class LanguageAnalyzersPlugin extends Plugin implements AnalysisPlugin {

    /** One language analyzer: Lucene's class, built from the stop words and stem exclusions. */
    private static final class LanguageProvider<T extends Analyzer> extends AbstractIndexAnalyzerProvider<T> {
        private final T analyzer;

        LanguageProvider(String name, Environment env, Settings settings, Supplier<CharArraySet> defaultStop,
                BiFunction<CharArraySet, CharArraySet, T> build) {
            super(name);
            CharArraySet stop = Analysis.parseStopWords(env, settings, defaultStop.get());
            CharArraySet exclusion = Analysis.parseStemExclusion(settings, CharArraySet.EMPTY_SET);
            this.analyzer = build.apply(stop, exclusion);
        }

        @Override
        public T get() {
            return analyzer;
        }
    }

    private static <T extends Analyzer> AnalysisProvider<AnalyzerProvider<? extends Analyzer>> language(
            Supplier<CharArraySet> defaultStop, BiFunction<CharArraySet, CharArraySet, T> build) {
        return (indexSettings, env, name, settings) -> new LanguageProvider<>(name, env, settings, defaultStop, build);
    }

    @Override
    public Map<String, AnalysisProvider<AnalyzerProvider<? extends Analyzer>>> getAnalyzers() {
        Map<String, AnalysisProvider<AnalyzerProvider<? extends Analyzer>>> analyzers = new TreeMap<>();
        analyzers.put("arabic", language(ArabicAnalyzer::getDefaultStopSet, ArabicAnalyzer::new));
        analyzers.put("english", language(EnglishAnalyzer::getDefaultStopSet, EnglishAnalyzer::new));
        analyzers.put("french", language(FrenchAnalyzer::getDefaultStopSet, FrenchAnalyzer::new));
        analyzers.put("german", language(GermanAnalyzer::getDefaultStopSet, GermanAnalyzer::new));
        analyzers.put("italian", language(ItalianAnalyzer::getDefaultStopSet, ItalianAnalyzer::new));
        analyzers.put("portuguese", language(PortugueseAnalyzer::getDefaultStopSet, PortugueseAnalyzer::new));
        analyzers.put("russian", language(RussianAnalyzer::getDefaultStopSet, RussianAnalyzer::new));
        analyzers.put("spanish", language(SpanishAnalyzer::getDefaultStopSet, SpanishAnalyzer::new));
        return analyzers;
    }
}
